package io.github.ssl4j.tasks.testing;

import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** Shared checks of the momentum methods' loss functions: direct evaluation and gradient checks. */
public final class LossChecks {
  private LossChecks() {}

  /** Uniform values in [-scale, scale], shape [rows][cols]. */
  public static double[][] uniform(int rows, int cols, double scale, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[rows][cols];
    for (double[] row : x) {
      for (int k = 0; k < cols; k++) {
        row[k] = r.nextDouble(-scale, scale);
      }
    }
    return x;
  }

  /** The mean loss over rows of {@code loss} for identity-activated predictions, in double. */
  public static double mean(ILossFunction loss, double[][] predictions, double[][] labels) {
    return loss.computeScore(Nd4j.createFromArray(labels), Nd4j.createFromArray(predictions),
        new ActivationIdentity(), null, true);
  }

  /**
   * A double-precision graph {@code input [rows, nIn] -> dense(d, tanh) -> LossLayer(loss)}, and
   * DL4J's gradient check of it on {@code x} with {@code labels} (relative error 1e-6).
   *
   * @return whether every parameter's gradient matches finite differences
   */
  public static boolean gradientCheck(ILossFunction loss, INDArray x, INDArray labels, int d) {
    DataType oldDefault = Nd4j.dataType();
    DataType oldFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      ComputationGraph g = graph(loss, (int) x.size(1), d);
      return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
          .inputs(new INDArray[] {x.castTo(DataType.DOUBLE)})
          .labels(new INDArray[] {labels.castTo(DataType.DOUBLE)})
          .epsilon(1e-6).maxRelError(1e-6).minAbsoluteError(1e-10)
          .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
    } finally {
      Nd4j.setDefaultDataTypes(oldDefault, oldFloat);
    }
  }

  /** The graph of {@link #gradientCheck}, initialised with seed 12. */
  public static ComputationGraph graph(ILossFunction loss, int nIn, int d) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(12)
        .updater(new NoOp()).dataType(DataType.DOUBLE).graphBuilder()
        .addInputs("input").setInputTypes(InputType.feedForward(nIn))
        .addLayer("head/dense", new DenseLayer.Builder().nOut(d).activation(Activation.TANH).build(), "input")
        .addLayer("loss/test", new LossLayer.Builder(loss).activation(Activation.IDENTITY).build(), "head/dense")
        .setOutputs("loss/test").build());
    g.init();
    return g;
  }
}
