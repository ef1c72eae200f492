package io.github.ssl4j.tasks.twoview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.tasks.contrastive.InfoNceLoss;
import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** Checks shared by the tests of the two-view losses: data, the loss value, gradient checks. */
public final class LossChecks {
  private LossChecks() {}

  /** Loss vertex name in the tiny graphs. */
  public static final String LOSS = "loss/test";

  /** Uniform values in [-1, 1), a pure function of the seed. */
  public static double[][] uniform(int rows, int dim, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] x = new double[rows][dim];
    for (double[] row : x) {
      for (int k = 0; k < dim; k++) {
        row[k] = rng.nextDouble(-1, 1);
      }
    }
    return x;
  }

  /** Image-id labels for N images in two views, DOUBLE. */
  public static INDArray labels(int n) {
    return InfoNceLoss.viewLabels(n, 2, DataType.DOUBLE);
  }

  /** The loss of the batch {@code x} [2N, k] in double, as the layer's graph score reports it. */
  public static double loss(ILossFunction loss, double[][] x) {
    INDArray in = Nd4j.createFromArray(x);
    double mean = loss.computeScore(labels(x.length / 2), in, new ActivationIdentity(), null, true);
    double sum = loss.computeScore(labels(x.length / 2), in, new ActivationIdentity(), null, false);
    assertEquals(mean * x.length, sum, 1e-12 * Math.max(1, Math.abs(sum)), "summed score = rows x mean");
    return mean;
  }

  /** input [2N, in] → dense (tanh, width out) → LossLayer(loss), double precision, no updates. */
  public static ComputationGraph tinyGraph(ILossFunction loss, int in, int out) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(42)
            .dataType(DataType.DOUBLE)
            .updater(new NoOp())
            .graphBuilder()
            .addInputs("input")
            .setInputTypes(InputType.feedForward(in))
            .addLayer("head/proj1", new DenseLayer.Builder().nOut(out).activation(Activation.TANH).build(), "input")
            .addLayer(LOSS, new LossLayer.Builder(loss).activation(Activation.IDENTITY).build(), "head/proj1")
            .setOutputs(LOSS)
            .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    return graph;
  }

  /**
   * Checks the graph's score against {@code reference} of the dense output and its parameter
   * gradients against finite differences in double precision.
   */
  public static void checkGraph(ComputationGraph graph, double[][] x, java.util.function.ToDoubleFunction<double[][]> reference) {
    INDArray in = Nd4j.createFromArray(x);
    INDArray labels = labels(x.length / 2);
    INDArray projected = graph.feedForward(in, false).get("head/proj1");
    assertEquals(reference.applyAsDouble(projected.toDoubleMatrix()), graph.score(new MultiDataSet(in, labels)), 1e-10,
        "graph score is the loss of the projected batch");
    DataType defaultType = Nd4j.dataType();
    DataType defaultFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // GradientCheckUtil insists
    boolean ok;
    try {
      ok = GradientCheckUtil.checkGradients(
          new GradientCheckUtil.GraphConfig()
              .net(graph)
              .inputs(new INDArray[] {in})
              .labels(new INDArray[] {labels})
              .epsilon(1e-6)
              .maxRelError(1e-5)
              .minAbsoluteError(1e-10));
    } finally {
      Nd4j.setDefaultDataTypes(defaultType, defaultFloat);
    }
    assertTrue(ok, "gradient check failed");
  }

  /** Column means of {@code x}. */
  public static double[] means(double[][] x) {
    double[] m = new double[x[0].length];
    for (double[] row : x) {
      for (int k = 0; k < m.length; k++) {
        m[k] += row[k] / x.length;
      }
    }
    return m;
  }

  /** Rows {@code from} (inclusive) to {@code to} (exclusive). */
  public static double[][] rows(double[][] x, int from, int to) {
    return java.util.Arrays.copyOfRange(x, from, to);
  }
}
