package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.dl4j.LayerHelpers;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The convolution whose backward pass reuses the forward output: same numbers, one forward. */
class SingleForwardConvolutionTest {

  @Test
  void gradientsAndTrainingAreBitIdenticalToDl4jsConvolutionWithOneForwardPerStep() {
    ComputationGraph stock = graph(false, Activation.IDENTITY);
    ComputationGraph single = graph(true, Activation.IDENTITY);
    assertInstanceOf(SingleForwardConvolution.Runtime.class, single.getLayer("conv"));
    single.setParams(stock.params().dup());
    AtomicInteger stockForwards = countForwards(stock);
    AtomicInteger singleForwards = countForwards(single);

    computeGradients(batch(7), stock, single);
    assertEquals(stock.score(), single.score());
    assertEquals(stock.gradient().gradient(), single.gradient().gradient());
    assertEquals(2, stockForwards.get(), "DL4J's layer runs the convolution again in backprop");
    assertEquals(1, singleForwards.get(), "one forward convolution per gradient");

    for (int step = 0; step < 3; step++) {
      INDArray[] b = batch(20 + step);
      stock.fit(new INDArray[] {b[0]}, new INDArray[] {b[1]});
      single.fit(new INDArray[] {b[0]}, new INDArray[] {b[1]});
    }
    assertEquals(stock.params(), single.params(), "parameters after three Adam steps");
    INDArray[] test = batch(99);
    assertEquals(stock.outputSingle(test[0]), single.outputSingle(test[0]));
    assertEquals(stock.outputSingle(true, test[0]), single.outputSingle(true, test[0]));
  }

  @Test
  void activationsAppliedInPlaceStillGetTheirPreActivation() {
    for (Activation activation : new Activation[] {Activation.RELU, Activation.SIGMOID}) {
      ComputationGraph stock = graph(false, activation);
      ComputationGraph single = graph(true, activation);
      single.setParams(stock.params().dup());
      AtomicInteger singleForwards = countForwards(single);
      computeGradients(batch(3), stock, single);
      assertEquals(stock.gradient().gradient(), single.gradient().gradient(), activation.name());
      assertEquals(1, singleForwards.get(), activation.name());
    }
  }

  @Test
  void inferenceBetweenForwardAndBackwardIsNotReused() {
    ComputationGraph stock = graph(false, Activation.RELU);
    ComputationGraph single = graph(true, Activation.RELU);
    single.setParams(stock.params().dup());
    AtomicInteger singleForwards = countForwards(single);
    INDArray other = batch(6)[0];
    stock.outputSingle(true, other);
    single.outputSingle(true, other);
    computeGradients(batch(5), stock, single);
    assertEquals(stock.gradient().gradient(), single.gradient().gradient());
    assertEquals(2, singleForwards.get(), "one forward for the output call, one for the gradient");
  }

  @Test
  void configurationSurvivesJson() {
    ComputationGraphConfiguration conf = graph(true, Activation.IDENTITY).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    ComputationGraph restored = new ComputationGraph(back);
    restored.init();
    assertInstanceOf(SingleForwardConvolution.Runtime.class, restored.getLayer("conv"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void withoutInputGradientTheWeightGradientsMatchDl4jsLayer(DataType type) {
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
    // W1's first layer (same padding, bias) and a strided, padded one without bias
    for (boolean plain : new boolean[] {true, false}) {
      ComputationGraph stock = firstLayerGraph(false, plain, type);
      ComputationGraph weightsOnly = firstLayerGraph(true, plain, type);
      weightsOnly.setParams(stock.params().dup());
      INDArray x = Nd4j.rand(type, 5, 3, 9, 11).subi(0.5);
      INDArray y = Nd4j.rand(type, 5, 4);
      for (ComputationGraph g : new ComputationGraph[] {stock, weightsOnly}) {
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
      }
      INDArray expected = stock.gradient().gradient();
      INDArray actual = weightsOnly.gradient().gradient();
      assertNotEquals(0.0, expected.norm2Number().doubleValue());
      double error = actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
      assertTrue(error < tolerance, "relative gradient error " + error + " (" + (plain ? "same" : "strided") + ")");

      org.deeplearning4j.nn.api.Layer conv = weightsOnly.getLayer("conv");
      LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
      conv.setInput(x, noWorkspaces);
      INDArray out = conv.activate(true, noWorkspaces);
      assertNull(conv.backpropGradient(Nd4j.onesLike(out), noWorkspaces).getSecond(), "no input gradient");
    }
  }

  @Test
  void withoutInputGradientTrainingFollowsDl4jsLayer() {
    ComputationGraph stock = firstLayerGraph(false, true, DataType.FLOAT);
    ComputationGraph weightsOnly = firstLayerGraph(true, true, DataType.FLOAT);
    weightsOnly.setParams(stock.params().dup());
    INDArray start = stock.params().dup();
    for (int step = 0; step < 3; step++) {
      Nd4j.getRandom().setSeed(40 + step);
      INDArray x = Nd4j.rand(DataType.FLOAT, 5, 3, 9, 11);
      INDArray y = Nd4j.rand(DataType.FLOAT, 5, 4);
      stock.fit(new INDArray[] {x}, new INDArray[] {y});
      weightsOnly.fit(new INDArray[] {x}, new INDArray[] {y});
    }
    double moved = stock.params().sub(start).norm2Number().doubleValue();
    double apart = stock.params().sub(weightsOnly.params()).norm2Number().doubleValue();
    assertTrue(moved > 1e-3 && apart < 1e-4 * moved, "moved " + moved + ", apart " + apart);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void narrowOutputBackwardMatchesDl4jsLayerIncludingTheLayerBelow(DataType type) {
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
    // 20 → 2 channels, 3x3 same (2·9 ≤ 20); 20 → 1 channel, 5x3 with explicit same padding
    for (boolean square : new boolean[] {true, false}) {
      ComputationGraph stock = narrowGraph(false, square, type);
      ComputationGraph narrow = narrowGraph(true, square, type);
      narrow.setParams(stock.params().dup());
      Nd4j.getRandom().setSeed(square ? 1 : 2);
      INDArray x = Nd4j.rand(type, 4, 3, 7, 9).subi(0.5);
      INDArray y = Nd4j.rand(type, 4, 3);
      for (ComputationGraph g : new ComputationGraph[] {stock, narrow}) {
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
      }
      for (String param : new String[] {"below_W", "below_b", "conv_W", "conv_b"}) {
        INDArray expected = stock.gradient().getGradientFor(param);
        INDArray actual = narrow.gradient().getGradientFor(param);
        assertNotEquals(0.0, expected.norm2Number().doubleValue(), param);
        double error = actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
        assertTrue(error < tolerance, param + ": relative error " + error + (square ? " (3x3)" : " (5x3)"));
      }
    }
  }

  /** conv 3 → 20 channels ("below"), then the narrow convolution, then a dense output. */
  private static ComputationGraph narrowGraph(boolean ours, boolean square, DataType type) {
    int[] kernel = square ? new int[] {3, 3} : new int[] {5, 3};
    ConvolutionLayer.Builder conv = ours ? new SingleForwardConvolution.Builder(kernel)
        : new ConvolutionLayer.Builder(kernel);
    if (square) {
      conv.convolutionMode(ConvolutionMode.Same).nOut(2);
    } else {
      conv.convolutionMode(ConvolutionMode.Truncate).padding(2, 1).nOut(1);
    }
    ComputationGraphConfiguration config = new NeuralNetConfiguration.Builder()
        .seed(9)
        .dataType(type)
        .updater(new Adam(1e-2))
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.convolutional(7, 9, 3))
        .addLayer("below", new ConvolutionLayer.Builder(3, 3).nOut(20)
            .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build(), "in")
        .addLayer("conv", conv.activation(Activation.SIGMOID).build(), "below")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .nOut(3).activation(Activation.IDENTITY).build(), "conv")
        .setOutputs("out")
        .build();
    ComputationGraph g = new ComputationGraph(config);
    g.init();
    LayerHelpers.installStock(g); // DL4J's own oneDNN helpers, as DL4J would install them
    return g;
  }

  @Test
  void inputGradientSettingSurvivesJsonAndCountsInEquality() {
    ComputationGraphConfiguration conf = firstLayerGraph(true, false, DataType.FLOAT).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    SingleForwardConvolution layer = (SingleForwardConvolution)
        ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("conv")).getLayerConf().getLayer();
    assertFalse(layer.isInputGradient());
    SingleForwardConvolution withGradient = (SingleForwardConvolution) layer.clone();
    withGradient.setInputGradient(true);
    assertNotEquals(layer, withGradient);
    assertNotEquals(layer.hashCode(), withGradient.hashCode());
  }

  /** conv (first layer) → softmax-free dense output with MSE; {@code plain}: 3x3 same, bias. */
  private static ComputationGraph firstLayerGraph(boolean weightsOnly, boolean plain, DataType type) {
    ConvolutionLayer.Builder conv = weightsOnly
        ? new SingleForwardConvolution.Builder(plain ? new int[] {3, 3} : new int[] {3, 2}).inputGradient(false)
        : new ConvolutionLayer.Builder(plain ? new int[] {3, 3} : new int[] {3, 2});
    if (plain) {
      conv.convolutionMode(ConvolutionMode.Same);
    } else {
      conv.convolutionMode(ConvolutionMode.Truncate).stride(2, 1).padding(1, 2).hasBias(false);
    }
    ComputationGraphConfiguration config = new NeuralNetConfiguration.Builder()
        .seed(5)
        .dataType(type)
        .updater(new Adam(1e-2))
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.convolutional(9, 11, 3))
        .addLayer("conv", conv.nOut(6).activation(Activation.TANH).build(), "in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .nOut(4).activation(Activation.IDENTITY).build(), "conv")
        .setOutputs("out")
        .build();
    ComputationGraph g = new ComputationGraph(config);
    g.init();
    LayerHelpers.installStock(g); // DL4J's own oneDNN helpers, as DL4J would install them
    return g;
  }

  private static ComputationGraph graph(boolean single, Activation activation) {
    ConvolutionLayer.Builder conv = single ? new SingleForwardConvolution.Builder(3, 3)
        : new ConvolutionLayer.Builder(3, 3);
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(11)
        .dataType(DataType.FLOAT)
        .updater(new Adam(1e-2))
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.convolutional(8, 8, 2))
        .addLayer("conv", conv.nOut(4).convolutionMode(ConvolutionMode.Same)
            .activation(activation).build(), "in")
        .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
        .addLayer("relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn")
        .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "relu")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(3).activation(Activation.SOFTMAX).build(), "gap")
        .setOutputs("out")
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    LayerHelpers.installStock(g); // DL4J's own oneDNN helpers, as DL4J would install them
    return g;
  }

  /** Wraps the conv layer's oneDNN helper to count forward convolutions. */
  private static AtomicInteger countForwards(ComputationGraph g) {
    try {
      Field f = org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class
          .getDeclaredField("helper");
      f.setAccessible(true);
      Object layer = g.getLayer("conv");
      ConvolutionHelper real = (ConvolutionHelper) f.get(layer);
      assertNotNull(real, "the test class path has oneDNN: a conv helper is expected");
      AtomicInteger forwards = new AtomicInteger();
      Object counting = Proxy.newProxyInstance(ConvolutionHelper.class.getClassLoader(),
          new Class<?>[] {ConvolutionHelper.class}, (proxy, method, args) -> {
            if (method.getName().equals("preOutput")) {
              forwards.incrementAndGet();
            }
            try {
              return method.invoke(real, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
      f.set(layer, counting);
      return forwards;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static void computeGradients(INDArray[] batch, ComputationGraph... graphs) {
    for (ComputationGraph g : graphs) {
      g.setInputs(batch[0]);
      g.setLabels(batch[1]);
      g.computeGradientAndScore();
    }
  }

  private static INDArray[] batch(long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.rand(DataType.FLOAT, 6, 2, 8, 8);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
    for (int i = 0; i < 6; i++) {
      y.putScalar(i, (int) ((seed + i) % 3), 1f);
    }
    return new INDArray[] {x, y};
  }
}
