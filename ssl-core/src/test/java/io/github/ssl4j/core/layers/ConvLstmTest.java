package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToCnnPreProcessor;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** ConvLstm: gradient check, forward pass against a plain-Java loop, shapes, errors, JSON. */
class ConvLstmTest {
  private static final int N = 2;
  private static final int C = 2;
  private static final int H = 4;
  private static final int W = 4;
  private static final int F = 2;
  private static final int K = 3;
  private static final int T = 3;
  private static DataType oldDefault;
  private static DataType oldFloat;

  @BeforeAll
  static void doublePrecision() {
    oldDefault = Nd4j.dataType();
    oldFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @AfterAll
  static void restore() {
    Nd4j.setDefaultDataTypes(oldDefault, oldFloat);
  }

  private static ConvLstm layer() {
    return ConvLstm.builder(C, H, W, F).kernelSize(K).build();
  }

  /** input [n, C*H*W, time] -> convlstm -> MSE loss (no parameters). */
  private static ComputationGraphConfiguration bare(ConvLstm layer) {
    return new NeuralNetConfiguration.Builder()
        .seed(7).dataType(DataType.DOUBLE).updater(new NoOp())
        .graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.recurrent(layer.inputSize()))
        .addLayer("convlstm", layer, "input")
        .addLayer("loss", new RnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
            .activation(Activation.IDENTITY).build(), "convlstm")
        .setOutputs("loss")
        .build();
  }

  /**
   * 1-channel frames -> DL4J conv (1->C, tanh) -> ConvLstm -> MSE: checks the epsilon passed
   * back and the flattening order shared with DL4J's preprocessors.
   */
  private static ComputationGraphConfiguration withConvBelow() {
    return new NeuralNetConfiguration.Builder()
        .seed(7).dataType(DataType.DOUBLE).updater(new NoOp())
        .graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.recurrent((long) H * W))
        .addVertex("frames", new PreprocessorVertex(new RnnToCnnPreProcessor(H, W, 1)), "input")
        .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(C)
            .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build(), "frames")
        .addVertex("maps", new PreprocessorVertex(new CnnToRnnPreProcessor(H, W, C)), "conv")
        .addLayer("convlstm", layer(), "maps")
        .addLayer("loss", new RnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
            .activation(Activation.IDENTITY).build(), "convlstm")
        .setOutputs("loss")
        .build();
  }

  private static ComputationGraph graph(ComputationGraphConfiguration conf) {
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  private static INDArray random(long seed, long... shape) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).muli(2);
  }

  @Test
  void passesGradientCheck() {
    ComputationGraph g = graph(bare(layer()));
    g.getLayer("convlstm").getParam(ConvLstm.BIAS).assign(random(3, 4 * F).muli(0.5));
    INDArray x = random(1, N, (long) C * H * W, T);
    INDArray y = random(2, N, (long) F * H * W, T).muli(0.5);
    assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {x}).labels(new INDArray[] {y})));
  }

  /**
   * The conv below is checked (so the epsilon ConvLstm passes back is right) and ConvLstm's bias;
   * its weights, checked in full above, are excluded to stay fast (DL4J M2.1's graph check ignores
   * subset/maxPerParam).
   */
  @Test
  void passesGradientCheckBelowALayerThroughPreprocessors() {
    ComputationGraph g = graph(withConvBelow());
    INDArray x = random(4, N, (long) H * W, T);
    INDArray y = random(5, N, (long) F * H * W, T).muli(0.5);
    assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {x}).labels(new INDArray[] {y})
        .excludeParams(java.util.Set.of("convlstm_" + ConvLstm.INPUT_WEIGHTS, "convlstm_" + ConvLstm.RECURRENT_WEIGHTS))));
  }

  @Test
  void forwardMatchesPlainJavaReference() {
    ComputationGraph g = graph(bare(layer()));
    g.getLayer("convlstm").getParam(ConvLstm.BIAS).assign(random(6, 4 * F).muli(0.5));
    INDArray x = random(8, N, (long) C * H * W, T);
    INDArray out = g.feedForward(x, false).get("convlstm");
    assertArrayEquals(new long[] {N, (long) F * H * W, T}, out.shape());
    double[][][] expected = ConvLstmReference.forward(toArray(x), C, H, W, F, K,
        g.getLayer("convlstm").getParam(ConvLstm.INPUT_WEIGHTS),
        g.getLayer("convlstm").getParam(ConvLstm.RECURRENT_WEIGHTS),
        g.getLayer("convlstm").getParam(ConvLstm.BIAS));
    double maxDiff = 0;
    for (int n = 0; n < N; n++) {
      for (int j = 0; j < F * H * W; j++) {
        for (int t = 0; t < T; t++) {
          maxDiff = Math.max(maxDiff, Math.abs(expected[n][j][t] - out.getDouble(n, j, t)));
        }
      }
    }
    assertTrue(maxDiff <= 1e-9, "max |DL4J - reference| = " + maxDiff);
  }

  @Test
  void forgetGateBiasStartsAtItsInitAndOthersAtZero() {
    ComputationGraph g = graph(bare(ConvLstm.builder(C, H, W, F).forgetGateBiasInit(1.5).build()));
    INDArray b = g.getLayer("convlstm").getParam(ConvLstm.BIAS);
    double[] expected = new double[4 * F];
    for (int j = F; j < 2 * F; j++) {
      expected[j] = 1.5;
    }
    assertArrayEquals(expected, b.toDoubleVector(), 0);
    assertEquals((long) K * K * C * 4 * F + (long) K * K * F * 4 * F + 4 * F, g.getLayer("convlstm").numParams());
  }

  @Test
  void isCausalAndRebuildsForAnotherSequenceLength() {
    ComputationGraph g = graph(bare(layer()));
    INDArray x = random(9, N, (long) C * H * W, T);
    INDArray full = g.feedForward(x, false).get("convlstm").dup();
    INDArray prefix = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2)).dup();
    INDArray shorter = g.feedForward(prefix, false).get("convlstm");
    assertArrayEquals(new long[] {N, (long) F * H * W, 2}, shorter.shape());
    assertEquals(full.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2)), shorter);
    assertEquals(full, g.feedForward(x, false).get("convlstm"));
  }

  @Test
  void survivesJsonRoundTrip() {
    ComputationGraphConfiguration conf = bare(ConvLstm.builder(C, H, W, F).kernelSize(1).forgetGateBiasInit(2).build());
    String json = conf.toJson();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
    assertEquals(json, back.toJson());
    ComputationGraph a = graph(conf);
    ComputationGraph b = graph(back);
    b.setParams(a.params());
    INDArray x = random(10, N, (long) C * H * W, T);
    assertEquals(a.outputSingle(x), b.outputSingle(x));
  }

  @Test
  void survivesModelSerializerRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    ComputationGraph a = graph(bare(layer()));
    java.io.File file = dir.resolve("convlstm.zip").toFile();
    org.deeplearning4j.util.ModelSerializer.writeModel(a, file, true);
    ComputationGraph b = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(file, true);
    INDArray x = random(12, N, (long) C * H * W, T);
    assertEquals(a.params(), b.params());
    assertEquals(a.outputSingle(x), b.outputSingle(x));
  }

  @Test
  void rejectsWrongInputSizeSayingWhatAndHow() {
    ComputationGraph g = graph(bare(layer()));
    INDArray wrong = random(11, N, (long) C * H * W + 1, T);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.outputSingle(wrong));
    assertTrue(e.getMessage().contains("[2, 33, 3]"), e.getMessage());
    assertTrue(e.getMessage().contains("= 32"), e.getMessage());
    assertTrue(e.getMessage().contains("CnnToRnnPreProcessor(4, 4, 2)"), e.getMessage());
  }

  @Test
  void rejectsWrongInputTypeWhenTheGraphIsBuilt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NeuralNetConfiguration.Builder()
        .graphBuilder().addInputs("input").setInputTypes(InputType.recurrent(31))
        .addLayer("convlstm", layer(), "input").setOutputs("convlstm").build());
    assertTrue(e.getMessage().contains("recurrent(32)"), e.getMessage());
  }

  @Test
  void builderRejectsEvenKernelsAndNonPositiveSizes() {
    assertThrows(IllegalArgumentException.class, () -> ConvLstm.builder(C, H, W, F).kernelSize(2).build());
    assertThrows(IllegalArgumentException.class, () -> ConvLstm.builder(0, H, W, F).build());
    assertThrows(IllegalArgumentException.class, () -> ConvLstm.builder(C, H, W, F).forgetGateBiasInit(Double.NaN).build());
  }

  private static double[][][] toArray(INDArray x) {
    double[][][] a = new double[(int) x.size(0)][(int) x.size(1)][(int) x.size(2)];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        for (int t = 0; t < a[i][j].length; t++) {
          a[i][j][t] = x.getDouble(i, j, t);
        }
      }
    }
    return a;
  }
}
