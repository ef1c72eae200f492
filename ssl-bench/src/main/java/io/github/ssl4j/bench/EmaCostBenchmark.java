package io.github.ssl4j.bench;

import io.github.ssl4j.core.MethodState;
import io.github.ssl4j.core.StatefulPretextTask;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.momentum.EmaTeacher;
import io.github.ssl4j.tasks.byol.ByolTask;
import io.github.ssl4j.tasks.moco.MocoTask;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * What the EMA update of a momentum method costs next to its optimiser step: the small CNN
 * ({@code ConvEncoder.small(28, 28, 1)}), batch 256, float32. Per method, each step is timed in its
 * parts (the state's beforeStep with the teacher's forward pass, the online fit, afterStep) and the
 * EMA update ({@link EmaTeacher#update}) on its own, interleaved; medians over the rounds.
 *
 * <pre>
 * mvn -B -q -pl ssl-bench -am package -DskipTests exec:java -Dssl4j.examples.exec.skip=true \
 *   -Dexec.mainClass=io.github.ssl4j.bench.EmaCostBenchmark -Dexec.args="20"
 * </pre>
 */
public final class EmaCostBenchmark {
  private EmaCostBenchmark() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Dl4jRuntime.configureForTraining();
    measure("BYOL", ByolTask.builder().build(), rounds);
    measure("MoCo v2", MocoTask.builder().build(), rounds);
  }

  private static void measure(String name, StatefulPretextTask task, int rounds) {
    ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(42)
        .updater(new Adam(1e-3)).dataType(DataType.FLOAT).graphBuilder();
    task.buildGraph(gb, ConvEncoder.small(28, 28, 1));
    ComputationGraph online = new ComputationGraph(gb.build());
    online.init();
    LayerHelpers.install(online);
    MethodState state = task.createState(online, 1);
    EmaTeacher probe = EmaTeacher.copyOf(online); // a second teacher for the isolated update
    INDArray images = Nd4j.rand(DataType.FLOAT, 256, 1, 28, 28);
    int warmup = 3;
    double[] before = new double[rounds];
    double[] fit = new double[rounds];
    double[] after = new double[rounds];
    double[] ema = new double[rounds];
    for (int r = -warmup; r < rounds; r++) {
      MultiDataSet prepared = task.prepare(images, new SplittableRandom(r + 100));
      long t0 = System.nanoTime();
      MultiDataSet batch = state.beforeStep(prepared, r + warmup, rounds + warmup);
      long t1 = System.nanoTime();
      online.fit(batch);
      long t2 = System.nanoTime();
      state.afterStep(r + warmup, rounds + warmup);
      long t3 = System.nanoTime();
      probe.update(0.996);
      long t4 = System.nanoTime();
      if (r >= 0) {
        before[r] = (t1 - t0) / 1e6;
        fit[r] = (t2 - t1) / 1e6;
        after[r] = (t3 - t2) / 1e6;
        ema[r] = (t4 - t3) / 1e6;
      }
    }
    double step = median(before) + median(fit) + median(after);
    System.out.printf(Locale.ROOT,
        "%s: %d parameters; step %.1f ms (beforeStep %.1f, fit %.1f, afterStep %.2f); EMA update %.2f ms"
            + " = %.2f %% of the step%n",
        name, online.numParams(), step, median(before), median(fit), median(after), median(ema),
        100 * median(ema) / step);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
