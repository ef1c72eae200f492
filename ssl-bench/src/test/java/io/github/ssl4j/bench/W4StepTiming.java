package io.github.ssl4j.bench;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.tasks.nextframe.FrameEncoder;
import io.github.ssl4j.tasks.nextframe.NextFrameTask;
import io.github.ssl4j.core.dl4j.Dl4jRuntime;
import io.github.ssl4j.core.dl4j.LayerHelpers;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Time of one W4 training step (16 sequences of 11 64x64 frames, Adam 1e-3, float) for the LSTM
 * model and its convolutional (ConvLstm) variant. Not a check: run on demand with
 * {@code -Dssl4j.timing=true -Dtest=W4StepTiming}; prints the median of the timed steps.
 */
@EnabledIfSystemProperty(named = "ssl4j.timing", matches = "true")
class W4StepTiming {
  private static final int WARM_UP = 1;
  private static final int TIMED = 3;

  @Test
  void convolutional() {
    time("W4 ConvLstm 64 filters k3", NextFrameTask.convLstm(), FrameEncoder.smallMap(64, 64, 1));
  }

  @Test
  void lstm() {
    time("W4 LSTM 512", NextFrameTask.lstm(), FrameEncoder.small(64, 64, 1));
  }

  private static void time(String label, NextFrameTask task, Encoder encoder) {
    Dl4jRuntime.configureForTraining();
    ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
        .seed(1).dataType(DataType.FLOAT).updater(new Adam(1e-3)).graphBuilder();
    task.buildGraph(gb, encoder);
    ComputationGraph g = new ComputationGraph(gb.build());
    g.init();
    LayerHelpers.install(g);
    Nd4j.getRandom().setSeed(3);
    MultiDataSet batch = task.prepare(Nd4j.rand(DataType.FLOAT, 16, 11, 1, 64, 64), null);
    long[] ms = new long[TIMED];
    for (int i = 0; i < WARM_UP + TIMED; i++) {
      long t0 = System.nanoTime();
      g.fit(batch);
      if (i >= WARM_UP) {
        ms[i - WARM_UP] = (System.nanoTime() - t0) / 1_000_000;
      }
    }
    java.util.Arrays.sort(ms);
    System.out.printf("TIMING %s: %d params, step ms %s, median %d ms = %.2f seq/s%n", label, g.numParams(),
        java.util.Arrays.toString(ms), ms[TIMED / 2], 16_000.0 / ms[TIMED / 2]);
  }
}
