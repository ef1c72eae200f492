package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.layers.BatchNormRelu;
import io.github.ssl4j.core.layers.SingleForwardConvolution;
import io.github.ssl4j.core.layers.SingleForwardPooling;
import java.util.Map;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A convolution → batch norm + ReLU → max pooling encoder trained with its activations in oneDNN's
 * blocked layouts ({@link OneDnnLayouts#during}) computes what the plain path computes.
 */
class OneDnnLayoutsTest {

  @Test
  void blockedChainGivesThePlainPathsLossAndGradients() {
    ComputationGraph blocked = encoder();
    ComputationGraph plain = encoder();
    plain.setParams(blocked.params().dup());
    LayerHelpers.install(blocked);
    LayerHelpers.install(plain);
    Nd4j.getRandom().setSeed(4);
    INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 12, 12);
    INDArray y = Nd4j.rand(DataType.FLOAT, 8, 3);
    plain.setInputs(x);
    plain.setLabels(y);
    plain.computeGradientAndScore();
    blocked.setInputs(x);
    blocked.setLabels(y);
    OneDnnLayouts.during(blocked::computeGradientAndScore);

    assertEquals(plain.score(), blocked.score(), 1e-5 * Math.abs(plain.score()));
    INDArray expected = plain.gradient().gradient();
    INDArray actual = blocked.gradient().gradient();
    double error = actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    assertTrue(error < 1e-4, "relative gradient error " + error);
  }

  @Test
  void linkedLayersHandOnBlockedArraysOnlyDuringATrainingStep() {
    ComputationGraph g = encoder();
    LayerHelpers.install(g);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 12, 12);
    OneDnnLayouts.during(() -> {
      Map<String, INDArray> a = g.feedForward(x, true);
      for (String name : new String[] {"conv1", "bn1", "pool1", "conv2", "bn2", "pool2", "conv3"}) {
        assertNotNull(OneDnnLayouts.of(a.get(name)), name + " hands on a blocked array");
      }
      // bn3 feeds global pooling, which reads plain arrays; the output is plain
      assertNull(OneDnnLayouts.of(a.get("bn3")));
      for (String bn : new String[] {"bn1", "bn2", "bn3"}) {
        assertTrue(((OneDnnLayouts.ReluFusing) g.getLayer(bn).getHelper()).appliedRelu(),
            bn + ": oneDNN applied the ReLU with the batch norm");
      }
      assertNull(OneDnnLayouts.of(a.get("out")));
    });
    Map<String, INDArray> outside = g.feedForward(x, true);
    assertNull(OneDnnLayouts.of(outside.get("conv1")));
    assertTrue(!((OneDnnLayouts.ReluFusing) g.getLayer("bn1").getHelper()).appliedRelu(),
        "outside a step the plain helper normalises and the layer applies the ReLU");
    // outside a step every array is plain: the plain graph's activations agree
    ComputationGraph reference = encoder();
    reference.setParams(g.params());
    assertTrue(reference.feedForward(x, false).get("bn2").equalsWithEps(g.feedForward(x, false).get("bn2"), 1e-5));
  }

  @Test
  void trainingStepsFollowThePlainPath() {
    ComputationGraph blocked = encoder();
    ComputationGraph plain = encoder();
    plain.setParams(blocked.params().dup());
    LayerHelpers.install(blocked);
    LayerHelpers.install(plain);
    INDArray start = plain.params().dup();
    for (int step = 0; step < 3; step++) {
      Nd4j.getRandom().setSeed(60 + step);
      INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 12, 12);
      INDArray y = Nd4j.rand(DataType.FLOAT, 8, 3);
      plain.fit(new INDArray[] {x}, new INDArray[] {y});
      OneDnnLayouts.during(() -> blocked.fit(new INDArray[] {x}, new INDArray[] {y}));
    }
    double moved = plain.params().sub(start).norm2Number().doubleValue();
    double apart = plain.params().sub(blocked.params()).norm2Number().doubleValue();
    // plain SGD: parameter differences are the gradients' float rounding, not amplified as by Adam
    assertTrue(moved > 1e-3 && apart < 1e-4 * moved, "moved " + moved + ", apart " + apart);
  }

  /** conv(1→16) → BN+ReLU → pool → conv(16→32) → BN+ReLU → pool → conv(32→16) → BN+ReLU → GAP → out. */
  private static ComputationGraph encoder() {
    var b = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.FLOAT).updater(new Sgd(0.1))
        .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(12, 12, 1));
    String previous = "in";
    int[] widths = {16, 32, 16};
    for (int s = 1; s <= 3; s++) {
      b.addLayer("conv" + s, new SingleForwardConvolution.Builder(3, 3).inputGradient(s > 1)
          .nOut(widths[s - 1]).convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), previous);
      b.addLayer("bn" + s, new BatchNormRelu(), "conv" + s);
      previous = "bn" + s;
      if (s < 3) {
        b.addLayer("pool" + s, new SingleForwardPooling.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
            .convolutionMode(ConvolutionMode.Truncate).build(), previous);
        previous = "pool" + s;
      }
    }
    b.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), previous);
    b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
        .activation(Activation.IDENTITY).build(), "gap");
    ComputationGraph g = new ComputationGraph(b.setOutputs("out").build());
    g.init();
    return g;
  }
}
