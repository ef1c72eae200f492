package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import static io.github.ssl4j.core.testing.GraphEquivalence.assertSameScoreAndGradients;
import static io.github.ssl4j.core.testing.GraphEquivalence.assertTrainsAlike;

import io.github.ssl4j.core.dl4j.LayerHelpers;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The transposed convolution that runs once per step and adds its own bias: DL4J's numbers. */
class SingleForwardDeconvolutionTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void scoreGradientsAndInputGradientMatchDl4jsLayer(DataType type) {
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
    // the next-frame decoder's stages (4x4, stride 2, padding 1; ReLU then identity, with bias),
    // and a same-mode one without bias
    for (int variant = 0; variant < 3; variant++) {
      ComputationGraph stock = graph(false, variant, type);
      ComputationGraph single = graph(true, variant, type);
      assertInstanceOf(SingleForwardDeconvolution.Runtime.class, single.getLayer("deconv"));
      single.setParams(stock.params().dup());
      Nd4j.getRandom().setSeed(3 + variant);
      INDArray x = Nd4j.rand(type, 5, 6).subi(0.5);
      INDArray y = Nd4j.rand(type, 5, 2);
      // the layer's own weight and bias gradients and, through the dense layer below, the
      // gradient with respect to its input
      assertSameScoreAndGradients(stock, single, x, y, tolerance, false, "variant " + variant);
    }
  }

  @Test
  void trainingFollowsDl4jsLayer() {
    ComputationGraph stock = graph(false, 0, DataType.FLOAT);
    ComputationGraph single = graph(true, 0, DataType.FLOAT);
    single.setParams(stock.params().dup());
    assertTrainsAlike(stock, single, 7, 6, 2, 1e-5);
  }

  @Test
  void survivesJsonAndDiffersFromDl4jsLayer() {
    ComputationGraphConfiguration conf = graph(true, 0, DataType.FLOAT).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    ComputationGraph restored = new ComputationGraph(back);
    restored.init();
    assertInstanceOf(SingleForwardDeconvolution.Runtime.class, restored.getLayer("deconv"));
    Deconvolution2D layer = (Deconvolution2D)
        ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("deconv")).getLayerConf().getLayer();
    Deconvolution2D stockLayer = (Deconvolution2D) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
        graph(false, 0, DataType.FLOAT).getConfiguration().getVertices().get("deconv")).getLayerConf().getLayer();
    assertNotEquals(stockLayer, layer);
    assertNotEquals(layer, stockLayer);
  }

  /**
   * dense 6 → [16, 4, 4] map → transposed convolution → dense output with MSE; variant 1 has a
   * single output channel (1·4·4 ≤ 16 input channels: the narrow-output path).
   */
  private static ComputationGraph graph(boolean single, int variant, DataType type) {
    Deconvolution2D.Builder deconv = single ? new SingleForwardDeconvolution.Builder(4, 4)
        : new Deconvolution2D.Builder(4, 4);
    if (variant < 2) {
      deconv.stride(2, 2).padding(1, 1).convolutionMode(ConvolutionMode.Truncate)
          .activation(variant == 0 ? Activation.RELU : Activation.IDENTITY);
    } else {
      deconv.kernelSize(3, 3).stride(2, 2).convolutionMode(ConvolutionMode.Same).hasBias(false)
          .activation(Activation.TANH);
    }
    ComputationGraphConfiguration config = new NeuralNetConfiguration.Builder()
        .seed(5)
        .dataType(type)
        .updater(new Adam(1e-2))
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.feedForward(6))
        .addLayer("fc", new DenseLayer.Builder().nOut(16 * 4 * 4).activation(Activation.TANH).build(), "in")
        .inputPreProcessor("deconv", new org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor(4, 4, 16))
        .addLayer("deconv", deconv.nOut(variant == 1 ? 1 : 5).build(), "fc")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .nOut(2).activation(Activation.IDENTITY).build(), "deconv")
        .setOutputs("out")
        .build();
    ComputationGraph g = new ComputationGraph(config);
    g.init();
    LayerHelpers.install(g);
    return g;
  }
}
