package io.github.ssl4j.core.dl4j;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.SameDiffLoss;

/** Shared fixtures: the same MSE (mean over columns, as {@code LossMSE}) stock and fixed. */
final class SameDiffLossTestSupport {
  private SameDiffLossTestSupport() {}

  /**
   * Fits {@code steps} times (SGD, workspaces on) and returns the parameters afterwards; the
   * reference run uses DL4J's closed-form {@code LossMSE}.
   */
  static INDArray fit(ILossFunction loss, int steps, INDArray x, INDArray y) {
    ComputationGraph g = graph(loss, new Sgd(0.1));
    for (int i = 0; i < steps; i++) {
      g.fit(new INDArray[] {x}, new INDArray[] {y});
    }
    return g.params().dup();
  }

  static SDVariable mse(SameDiff sd, SDVariable in, SDVariable labels) {
    return sd.math().square(in.sub(labels)).mean(1);
  }

  /** Stock DL4J {@code SameDiffLoss}. */
  public static final class StockMse extends SameDiffLoss {
    @Override
    public SDVariable defineLoss(SameDiff sd, SDVariable layerInput, SDVariable labels) {
      return mse(sd, layerInput, labels);
    }
  }

  /** The same loss with the workaround. */
  public static final class FixedMse extends FixedSameDiffLoss {
    @Override
    public SDVariable defineLoss(SameDiff sd, SDVariable layerInput, SDVariable labels) {
      return mse(sd, layerInput, labels);
    }
  }

  /** in(3) → dense tanh(4) → output tanh(2) with the given loss, double, no updater. */
  static ComputationGraph graph(ILossFunction loss) {
    return graph(loss, new NoOp());
  }

  /** As {@link #graph(ILossFunction)} with the given updater (workspaces on, DL4J's default). */
  static ComputationGraph graph(ILossFunction loss, IUpdater updater) {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(42).dataType(DataType.DOUBLE).updater(updater)
        .graphBuilder()
        .addInputs("in")
        .addLayer("dense", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "in")
        .addLayer("out", new OutputLayer.Builder().lossFunction(loss).nOut(2)
            .activation(Activation.TANH).build(), "dense")
        .setOutputs("out")
        .setInputTypes(InputType.feedForward(3))
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }
}
