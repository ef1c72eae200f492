package io.github.ssl4j.bench;

import io.github.ssl4j.bench.Workloads.Workload;
import io.github.ssl4j.core.train.LossRecord;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of one workload trained with {@code TrainingConfig.workers(n)} (DL4J's ParallelWrapper
 * in one JVM) for each n given, interleaved over rounds: per round and n, one short run of
 * {@code warmup + steps} steps; its rate is {@code steps × batch} over the wall-clock time of the
 * timed steps (from the loss history's per-step timestamps). Prints the median rate per n and the
 * load average before and after.
 */
@Command(name = "DataParallelBenchmark", mixinStandardHelpOptions = true,
    description = "Throughput with 1, 2, ... data-parallel workers in one JVM, interleaved rounds.")
public final class DataParallelBenchmark implements Callable<Integer> {
  @Option(names = "--workload", defaultValue = "W1", description = "Workload (default ${DEFAULT-VALUE}).")
  String workload;

  @Option(names = "--workers", defaultValue = "1,2", split = ",", description = "Worker counts (default ${DEFAULT-VALUE}).")
  int[] workers;

  @Option(names = "--rounds", defaultValue = "3", description = "Interleaved rounds (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--steps", defaultValue = "20", description = "Timed steps per run (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps per run (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--data", description = "Fashion-MNIST directory (default: the Debian package's, else the bundled sample).")
  Path data;

  @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DataParallelBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (steps < 5 || warmup < 1 || rounds < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "need --steps >= 5, --warmup >= 1, --rounds >= 1; got " + steps + ", " + warmup + ", " + rounds);
    }
    Workload w = Workloads.of(workload, data, seed);
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    Map<Integer, List<Double>> rates = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      for (int n : workers) {
        TrainingResult t = new Trainer(w.config(seed).workers(n).maxSteps(warmup + steps).progressBar(false)
            .logEverySteps(0).build()).fit(w.task(), w.encoder(), w.data());
        List<LossRecord> h = t.history();
        double secs = h.get(warmup + steps - 1).seconds() - h.get(warmup - 1).seconds();
        double rate = steps * (double) w.batch() / secs;
        rates.computeIfAbsent(n, k -> new ArrayList<>()).add(rate);
        System.out.printf(Locale.ROOT, "round %d, %d worker(s): %.1f %s, loss %.4f -> %.4f%n", r + 1, n, rate,
            w.unit(), h.get(0).loss(), t.finalLoss());
      }
    }
    String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
    System.out.printf(Locale.ROOT, "%n%s, batch %d, %d timed steps after %d warm-up, %d rounds, %s, %d cores%n",
        w.name(), w.batch(), steps, warmup, rounds, Instant.now(), Runtime.getRuntime().availableProcessors());
    double base = Double.NaN;
    for (var e : rates.entrySet()) {
      double[] xs = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double median = xs.length % 2 == 1 ? xs[xs.length / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
      if (Double.isNaN(base)) {
        base = median;
      }
      System.out.printf(Locale.ROOT, "  %d worker(s): median %.1f %s (%s), %.2f x the first%n", e.getKey(), median,
          w.unit(), Arrays.toString(xs), median / base);
    }
    System.out.println("  load average before: " + loadBefore + "; after: " + loadAfter);
    return 0;
  }
}
