package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.dl4j.LayerHelpers;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Batch norm + ReLU in one layer: the numbers of DL4J's two layers, in every helper setting. */
class BatchNormReluTest {

  @ParameterizedTest(name = "{0}, ssl4j helpers: {1}")
  @CsvSource({"FLOAT, true", "FLOAT, false", "DOUBLE, false"})
  void gradientsTrainingAndInferenceAreBitIdenticalToBatchNormThenReluLayer(
      DataType type, boolean ssl4jHelpers) {
    ComputationGraph stock = graph(false, type);
    ComputationGraph fused = graph(true, type);
    assertInstanceOf(BatchNormRelu.Runtime.class, fused.getLayer("bn"));
    if (ssl4jHelpers) {
      // ssl4j's batch-norm and pooling helpers replace DL4J's
      assertEquals(2, LayerHelpers.install(stock), "the test class path has oneDNN");
      assertEquals(2, LayerHelpers.install(fused));
    }
    fused.setParams(stock.params().dup());

    INDArray[] b = batch(7, type);
    for (ComputationGraph g : new ComputationGraph[] {stock, fused}) {
      g.setInputs(b[0]);
      g.setLabels(b[1]);
      g.computeGradientAndScore();
    }
    assertEquals(stock.score(), fused.score());
    INDArray gradient = fused.gradient().gradient();
    assertEquals(stock.gradient().gradient(), gradient);
    assertNotEquals(0.0, gradient.norm2Number().doubleValue());

    for (int step = 0; step < 3; step++) {
      INDArray[] s = batch(20 + step, type);
      stock.fit(new INDArray[] {s[0]}, new INDArray[] {s[1]});
      fused.fit(new INDArray[] {s[0]}, new INDArray[] {s[1]});
    }
    assertEquals(stock.params(), fused.params(), "parameters and running statistics after 3 steps");
    INDArray x = batch(99, type)[0];
    assertEquals(stock.outputSingle(x), fused.outputSingle(x));
    assertEquals(stock.feedForward(x, false).get("relu"), fused.feedForward(x, false).get("bn"));
    INDArray trainingOut = fused.feedForward(x, true).get("bn");
    assertEquals(stock.feedForward(x, true).get("relu"), trainingOut);
    assertTrue(trainingOut.minNumber().doubleValue() >= 0.0, "ReLU applied");
    assertTrue(trainingOut.maxNumber().doubleValue() > 0.0);
  }

  @Test
  void backpropagationWithoutATrainingForwardPassIsRefused() {
    ComputationGraph fused = graph(true, DataType.FLOAT);
    INDArray x = batch(3, DataType.FLOAT)[0];
    fused.outputSingle(false, x);
    org.deeplearning4j.nn.api.Layer bn = fused.getLayer("bn");
    INDArray epsilon = Nd4j.ones(DataType.FLOAT, 6, 4, 8, 8);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> bn.backpropGradient(epsilon, LayerWorkspaceMgr.noWorkspaces()));
    assertTrue(e.getMessage().contains("'bn'") && e.getMessage().contains("training forward pass"),
        e.getMessage());
  }

  @Test
  void configurationSurvivesJsonAndDiffersFromPlainBatchNorm() {
    ComputationGraphConfiguration conf = graph(true, DataType.FLOAT).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    ComputationGraph restored = new ComputationGraph(back);
    restored.init();
    assertInstanceOf(BatchNormRelu.Runtime.class, restored.getLayer("bn"));
    BatchNormalization plain = new BatchNormalization.Builder().build();
    BatchNormRelu fused = new BatchNormRelu();
    assertNotEquals(plain, fused);
    assertNotEquals(fused, plain);
    assertEquals(fused, new BatchNormRelu());
    assertEquals(plain.getDecay(), fused.getDecay());
    assertEquals(plain.isUseLogStd(), fused.isUseLogStd(), "the builder's defaults");
  }

  /** conv → batch norm → ReLU (two DL4J layers, or one fused) → max pool → average → softmax. */
  private static ComputationGraph graph(boolean fused, DataType type) {
    ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
        .seed(11)
        .dataType(type)
        .updater(new Adam(1e-2))
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.convolutional(8, 8, 2))
        .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4)
            .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), "in");
    String last;
    if (fused) {
      b.addLayer("bn", new BatchNormRelu(), "conv");
      last = "bn";
    } else {
      b.addLayer("bn", new BatchNormalization.Builder().build(), "conv")
          .addLayer("relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn");
      last = "relu";
    }
    ComputationGraphConfiguration conf = b
        .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2)
            .stride(2, 2).build(), last)
        .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pool")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(3).activation(Activation.SOFTMAX).build(), "gap")
        .setOutputs("out")
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    LayerHelpers.installStock(g); // DL4J's own oneDNN helpers, as DL4J would install them
    return g;
  }

  private static INDArray[] batch(long seed, DataType type) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.rand(type, 6, 2, 8, 8).subi(0.3);
    INDArray y = Nd4j.zeros(type, 6, 3);
    for (int i = 0; i < 6; i++) {
      y.putScalar(i, (int) ((seed + i) % 3), 1.0);
    }
    return new INDArray[] {x, y};
  }
}
