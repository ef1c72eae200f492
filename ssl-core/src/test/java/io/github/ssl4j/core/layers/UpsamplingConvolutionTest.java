package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static io.github.ssl4j.core.testing.GraphEquivalence.assertSameScoreAndGradients;
import static io.github.ssl4j.core.testing.GraphEquivalence.assertTrainsAlike;

import io.github.ssl4j.core.dl4j.LayerHelpers;
import io.github.ssl4j.core.dl4j.OneDnn;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Upsampling and convolving in one layer: DL4J's Upsampling2D followed by its convolution. */
class UpsamplingConvolutionTest {
  /** Variants: 0 the decoder stage (phase path in float), 1 without bias, 2 and 3 DL4J's path. */
  private static final int VARIANTS = 4;

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void scoreGradientsAndInputGradientMatchUpsamplingThenConvolving(DataType type) {
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
    for (int variant = 0; variant < VARIANTS; variant++) {
      for (boolean trainingStep : new boolean[] {false, true}) {
        ComputationGraph stock = graph(false, variant, type);
        ComputationGraph fused = graph(true, variant, type);
        assertInstanceOf(UpsamplingConvolution.Runtime.class, fused.getLayer("conv"));
        fused.setParams(stock.params().dup());
        Nd4j.getRandom().setSeed(3 + variant);
        INDArray x = Nd4j.rand(type, 5, 6).subi(0.5);
        INDArray y = Nd4j.rand(type, 5, 2);
        String what = "variant " + variant + (trainingStep ? " in a training step" : "");
        // the layer's weight and bias gradients and, through the dense layer below, its input gradient
        assertSameScoreAndGradients(stock, fused, x, y, tolerance, trainingStep, what);
        assertEquals(type == DataType.FLOAT && variant < 2 && OneDnn.available(),
            ((UpsamplingConvolution.Runtime) fused.getLayer("conv")).lastOnPhases, what + ": phase path");
      }
    }
  }

  @Test
  void trainingFollowsUpsamplingThenConvolving() {
    ComputationGraph stock = graph(false, 0, DataType.FLOAT);
    ComputationGraph fused = graph(true, 0, DataType.FLOAT);
    fused.setParams(stock.params().dup());
    assertTrainsAlike(stock, fused, 7, 6, 2, 1e-5);
  }

  @Test
  void survivesJsonWithItsFactorAndReportsTheUpsampledOutputType() {
    ComputationGraphConfiguration conf = graph(true, 2, DataType.FLOAT).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    UpsamplingConvolution layer = (UpsamplingConvolution)
        ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("conv")).getLayerConf().getLayer();
    assertEquals(3, layer.getUpsampling());
    assertEquals(InputType.convolutional(12, 12, 16), layer.getOutputType(0, InputType.convolutional(4, 4, 16)));
    assertThrows(IllegalStateException.class, () -> layer.getOutputType(0, InputType.feedForward(4)));
    assertThrows(IllegalArgumentException.class, () -> new UpsamplingConvolution.Builder(3, 3).upsampling(0));
    ComputationGraph restored = new ComputationGraph(back);
    restored.init();
    assertInstanceOf(UpsamplingConvolution.Runtime.class, restored.getLayer("conv"));
  }

  /**
   * dense 6 → [16, 4, 4] map → upsampling → convolution → dense output with MSE. Variants: 0 a
   * decoder stage (factor 2, 3×3 same, ReLU, bias); 1 without bias, tanh, 5 channels; 2 factor 3
   * (DL4J's path); 3 a 5×5 kernel (DL4J's path).
   */
  private static ComputationGraph graph(boolean fused, int variant, DataType type) {
    int factor = variant == 2 ? 3 : 2;
    int kernel = variant == 3 ? 5 : 3;
    ConvolutionLayer.Builder conv = fused
        ? new UpsamplingConvolution.Builder(kernel, kernel).upsampling(factor)
        : new ConvolutionLayer.Builder(kernel, kernel);
    conv.stride(1, 1).convolutionMode(ConvolutionMode.Same).nOut(variant == 1 ? 5 : 16)
        .activation(variant == 1 ? Activation.TANH : Activation.RELU).hasBias(variant != 1);
    ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
        .seed(5)
        .dataType(type)
        .updater(new Adam(1e-2))
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.feedForward(6))
        .addLayer("fc", new DenseLayer.Builder().nOut(16 * 4 * 4).activation(Activation.TANH).build(), "in")
        .inputPreProcessor(fused ? "conv" : "up", new FeedForwardToCnnPreProcessor(4, 4, 16));
    if (fused) {
      b.addLayer("conv", conv.build(), "fc");
    } else {
      b.addLayer("up", new Upsampling2D.Builder(factor).build(), "fc").addLayer("conv", conv.build(), "up");
    }
    ComputationGraphConfiguration config = b
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .nOut(2).activation(Activation.IDENTITY).build(), "conv")
        .setOutputs("out")
        .build();
    ComputationGraph g = new ComputationGraph(config);
    g.init();
    LayerHelpers.install(g);
    return g;
  }
}
