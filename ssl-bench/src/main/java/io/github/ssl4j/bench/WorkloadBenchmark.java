package io.github.ssl4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.text.TokenWindowSource;
import io.github.ssl4j.bench.Workloads.Workload;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import io.github.ssl4j.tasks.nextframe.MovingFashionMnist;
import io.github.ssl4j.tasks.nextframe.NextFrameTask;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of the reference workloads ({@link Workloads}), measured the way the PyTorch
 * reference ({@code peer.py --mode throughput}) measures them: warm-up steps, then timed optimiser steps
 * through the library's own {@link Trainer} (batch preparation and augmentation included, on its
 * prefetch thread as users get it); the median of the per-step rates is the figure.
 *
 * <pre>
 * mvn -B -q -pl ssl-bench -am package -DskipTests exec:java -Dssl4j.examples.exec.skip=true \
 *   -Dexec.mainClass=io.github.ssl4j.bench.WorkloadBenchmark -Dexec.args="--workload W1"
 * </pre>
 */
@Command(
    name = "WorkloadBenchmark",
    mixinStandardHelpOptions = true,
    description = "Median training throughput of a reference workload (W1-W4).")
public final class WorkloadBenchmark implements Callable<Integer> {

  @Option(names = "--workload", required = true, description = "Workload: W1 (contrastive), W2 (masked image), W3 (masked language) or W4 (next frame).")
  String workload;

  @Option(names = "--steps", defaultValue = "30", description = "Timed steps, at least 20 (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", defaultValue = "5", description = "Warm-up steps, not timed (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--data", description = "Fashion-MNIST directory (default: the Debian package's, else the bundled sample); for W3 the SpamAssassin data directory (default: $SPAM_DIR, spam/package/data, else the bundled sample).")
  Path data;

  @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--sub-pixel-views", description = "W1 only: make the views as the PyTorch reference"
      + " does (Workloads.w1SubPixelViews: sub-pixel crop boxes, brightness before contrast).")
  boolean subPixelViews;

  @Option(names = "--json", description = "Write the result as JSON here.")
  Path json;

  private Map<String, Object> result;

  /** Runs with command-line arguments and returns the result map (what --json writes). */
  public static Map<String, Object> run(String... args) {
    WorkloadBenchmark app = new WorkloadBenchmark();
    int code = new CommandLine(app).execute(args);
    if (code != 0 || app.result == null) {
      throw new IllegalStateException("benchmark failed (exit code " + code + "); see the log above");
    }
    return app.result;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new WorkloadBenchmark()).execute(args));
  }

  private Workload workload() {
    Workload w;
    try {
      w = Workloads.of(workload, data, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    if (!subPixelViews) {
      return w;
    }
    if (!w.name().equals("W1")) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--sub-pixel-views applies to W1 only, got --workload " + workload);
    }
    return new Workload(w.name(), w.unit(), Workloads.w1SubPixelTask(), w.encoder(), w.data(), w.batch(),
        w.learningRate(), w.weightDecay(), w.dataOrigin());
  }

  @Override
  public Integer call() throws IOException {
    if (steps < 20) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--steps must be at least 20, got " + steps);
    }
    if (warmup < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--warmup must be at least 1, got " + warmup);
    }
    Workload w = workload();
    StepClock clock = new StepClock();
    TrainingConfig config = w.config(seed)
        .maxSteps(warmup + steps)
        .progressBar(false)
        .logEverySteps(0)
        .listeners(clock)
        .build();
    TrainingResult trained = new Trainer(config).fit(w.task(), w.encoder(), w.data());
    if (clock.wall.size() != warmup + steps + 1) {
      throw new IllegalStateException("expected " + (warmup + steps) + " steps, saw " + (clock.wall.size() - 1));
    }

    double[] stepSeconds = new double[steps];
    double[] rates = new double[steps];
    for (int i = 0; i < steps; i++) {
      int k = warmup + i;
      stepSeconds[i] = (clock.wall.get(k + 1) - clock.wall.get(k)) / 1e9;
      rates[i] = w.batch() / stepSeconds[i];
    }
    int last = warmup + steps;
    double timedWall = (clock.wall.get(last) - clock.wall.get(warmup)) / 1e9;
    double cores = (clock.cpu.get(last) - clock.cpu.get(warmup)) / 1e9 / timedWall;
    double medianStep = median(stepSeconds);

    // data preparation alone, on this thread, for the same kind of batches: its cost relative to a step
    double[] prep = new double[Math.min(steps, 20)];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(Seeds.mix(seed, "bench-prepare", 0));
    long n = w.data().size();
    for (int i = 0; i < prep.length; i++) {
      long[] idx = new long[w.batch()];
      for (int j = 0; j < w.batch(); j++) {
        idx[j] = rng.nextLong(n);
      }
      long t0 = System.nanoTime();
      INDArray batch = w.data().get(idx); // generated sources (W4) pay their generation here
      w.task().prepare(batch, rng);
      prep[i] = (System.nanoTime() - t0) / 1e9;
    }

    // where a timed step's time goes, from the listener's marks inside DL4J's fit
    Phases phases = clock.phases(warmup);

    ComputationGraphConfiguration conf = trained.graph().getConfiguration();
    double fwd = FlopCount.forwardPerExample(conf, List.of(graphInputType(w)));
    long rowsPerBatch = rowsPerStep(w);
    double flopsPerStep = 3.0 * fwd * rowsPerBatch; // backward ~ 2x forward
    double[] load = loadAverage();

    result = new LinkedHashMap<>();
    result.put("workload", w.name());
    result.put("library", "ssl4j");
    result.put("unit", w.unit());
    result.put("median_rate", w.batch() / medianStep);
    if (w.data() instanceof TokenWindowSource tw) {
      result.put("median_tokens_per_s", w.batch() * tw.length() / medianStep);
    }
    result.put("min_rate", Arrays.stream(rates).min().orElse(0));
    result.put("max_rate", Arrays.stream(rates).max().orElse(0));
    result.put("median_step_s", medianStep);
    result.put("timed_steps", steps);
    result.put("step_seconds", stepSeconds);
    result.put("warmup_steps", warmup);
    result.put("batch", w.batch());
    result.put("rows_per_step", rowsPerBatch);
    result.put("first_loss", trained.history().get(0).loss());
    result.put("last_loss", trained.finalLoss());
    result.put("cores_used", cores);
    result.put("forward_mflop_per_row", fwd / 1e6);
    result.put("achieved_gflops", flopsPerStep / medianStep / 1e9);
    result.put("prepare_median_s", median(prep));
    result.put("prepare_share_of_step", median(prep) / medianStep);
    result.put("trainer_data_wait_share", trained.dataWaitShare());
    result.put("phase_forward_s", phases.forward());
    result.put("phase_loss_and_backward_s", phases.lossAndBackward());
    result.put("phase_updater_s", phases.updater());
    result.put("phase_note", "medians over the timed steps, from listener marks inside DL4J's fit:"
        + " forward = previous step's end to onForwardPass (includes taking the prepared batch);"
        + " loss_and_backward = onForwardPass to onBackwardPass (backprop, then the loss score);"
        + " updater = onBackwardPass to iterationDone (gradient normalisation, updater, parameter update)");
    result.put("data", w.dataOrigin());
    result.put("oneDnn", Dl4jRuntime.report().toString());
    result.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    result.put("available_processors", Runtime.getRuntime().availableProcessors());
    result.put("omp_threads", Nd4j.getEnvironment().maxMasterThreads());
    result.put("loadavg_1_5_15_at_end", load);
    Map<String, String> env = new LinkedHashMap<>();
    for (String k : new String[] {"GLIBC_TUNABLES", "OMP_NUM_THREADS", "OMP_WAIT_POLICY"}) {
      env.put(k, System.getenv(k));
    }
    result.put("env", env);
    result.put("date", Instant.now().toString());
    System.out.printf(
        "%s throughput: median %.1f %s (min %.1f, max %.1f, median step %.3f s, %.2f cores used),"
            + " %.1f GFLOP/s, data preparation %.1f ms per batch = %.0f %% of a step (off the training"
            + " thread; trainer waited for data %.1f %% of the time)%n",
        w.name(), w.batch() / medianStep, w.unit(), result.get("min_rate"), result.get("max_rate"), medianStep,
        cores, flopsPerStep / medianStep / 1e9, 1e3 * median(prep), 100 * median(prep) / medianStep,
        100 * trained.dataWaitShare());
    System.out.printf("  median parts of a step: forward %.3f s, loss + backward %.3f s, updater %.3f s"
        + " (%.0f / %.0f / %.0f %%)%n", phases.forward(), phases.lossAndBackward(), phases.updater(),
        100 * phases.forward() / phases.total(), 100 * phases.lossAndBackward() / phases.total(),
        100 * phases.updater() / phases.total());
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), result);
      System.out.println("written " + json);
    }
    return 0;
  }

  /** Median seconds of the parts of one optimiser step. */
  record Phases(double forward, double lossAndBackward, double updater) {
    double total() {
      return forward + lossAndBackward + updater;
    }
  }

  /** The graph input a FLOP count starts from: one frame sequence for W4, one image otherwise. */
  private static InputType graphInputType(Workload w) {
    if (w.task() instanceof NextFrameTask && w.data() instanceof MovingFashionMnist m) {
      return InputType.recurrent((long) m.canvas() * m.canvas(), m.frames() - 1);
    }
    return w.encoder().inputType();
  }

  /** Rows the FLOP count applies to per step: views (W1), images (W2) or frames (W4). */
  private long rowsPerStep(Workload w) {
    if (w.task() instanceof ContrastiveTask c) {
      return (long) w.batch() * c.views().count();
    }
    if (w.data() instanceof MovingFashionMnist m) {
      return (long) w.batch() * (m.frames() - 1);
    }
    return w.batch();
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  private static double[] loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    } catch (IOException | RuntimeException e) {
      return new double[] {ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()};
    }
  }

  /** Wall and process CPU time at the start and after every optimiser step. */
  private static final class StepClock extends BaseTrainingListener {
    final List<Long> wall = new ArrayList<>();
    final List<Long> cpu = new ArrayList<>();
    final List<Long> forwardDone = new ArrayList<>();
    final List<Long> backwardDone = new ArrayList<>();
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    StepClock() {
      mark();
    }

    private void mark() {
      wall.add(System.nanoTime());
      cpu.add(os.getProcessCpuTime());
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
      forwardDone.add(System.nanoTime());
    }

    @Override
    public void onBackwardPass(Model model) {
      backwardDone.add(System.nanoTime());
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      mark();
    }

    /** Medians over the steps after {@code warmup}; step k runs from wall[k] to wall[k + 1]. */
    Phases phases(int warmup) {
      int n = wall.size() - 1 - warmup;
      if (forwardDone.size() != wall.size() - 1 || backwardDone.size() != wall.size() - 1) {
        throw new IllegalStateException("listener saw " + forwardDone.size() + " forward and "
            + backwardDone.size() + " backward passes in " + (wall.size() - 1) + " steps");
      }
      double[] f = new double[n];
      double[] b = new double[n];
      double[] u = new double[n];
      for (int i = 0; i < n; i++) {
        int k = warmup + i;
        f[i] = (forwardDone.get(k) - wall.get(k)) / 1e9;
        b[i] = (backwardDone.get(k) - forwardDone.get(k)) / 1e9;
        u[i] = (wall.get(k + 1) - backwardDone.get(k)) / 1e9;
      }
      return new Phases(median(f), median(b), median(u));
    }
  }
}
