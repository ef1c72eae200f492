package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * B4 (docs/development/dl4j-workarounds.md): with the test class path (oneDNN natives) {@link LayerHelpers}
 * gives conv/BN/pool layers oneDNN helpers, per graph and without any system property.
 */
class OneDnnSetupTest {

  @Test
  void convBnPoolLayersUseOneDnnHelpers() {
    Dl4jRuntime.Report r = Dl4jRuntime.report();
    assertEquals("CPU", r.backend(), r.toString());
    assertTrue(r.oneDnnCompiledIn(), "natives without HAVE_ONEDNN: " + r + " / " + r.advice());
    assertTrue(r.nativeLibrary().contains("-onednn"), r.toString());
    assertEquals(Map.of("conv", "MKLDNNConvHelper", "bn", "OneDnnBatchNormHelper",
        "pool", "OneDnnMaxPoolingHelper"), r.helperByLayer(), r.advice());
    assertEquals("oneDNN in use", r.advice());
  }

  @Test
  void helpersAreSetPerGraphWithoutSystemProperties() {
    java.util.Properties before = RuntimeSideEffectsTest.snapshot();
    ComputationGraph with = graph();
    ComputationGraph without = graph();
    assertNull(without.getLayer("conv").getHelper(), "DL4J creates no helper by default");
    assertEquals(3, LayerHelpers.install(with));
    assertInstanceOf(MKLDNNConvHelper.class, with.getLayer("conv").getHelper());
    assertInstanceOf(OneDnnBatchNormHelper.class, with.getLayer("bn").getHelper());
    assertInstanceOf(OneDnnMaxPoolingHelper.class, with.getLayer("pool").getHelper());
    assertEquals(0, LayerHelpers.install(with), "second install changes nothing");
    assertNull(without.getLayer("conv").getHelper(), "another graph is not touched");
    assertNull(without.getLayer("bn").getHelper());
    assertEquals(Map.of(), RuntimeSideEffectsTest.changedSince(before));
  }

  @Test
  void helpersGoWhereDl4jWouldPutThemIncludingFrozenLayers() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(3).dataType(DataType.FLOAT)
        .graphBuilder()
        .addInputs("in")
        .addLayer("conv1d", new Convolution1DLayer.Builder(3).nOut(2).build(), "in")
        .addLayer("pool1d", new Subsampling1DLayer.Builder(2).stride(2).build(), "conv1d")
        .addLayer("bnLocked", new BatchNormalization.Builder().lockGammaBeta(true).build(), "pool1d")
        .setOutputs("bnLocked")
        .setInputTypes(InputType.recurrent(2, 8))
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    assertEquals(2, LayerHelpers.install(g));
    assertInstanceOf(MKLDNNConvHelper.class, g.getLayer("conv1d").getHelper());
    assertInstanceOf(OneDnnMaxPoolingHelper.class, g.getLayer("pool1d").getHelper());
    assertNull(g.getLayer("bnLocked").getHelper(), "oneDNN does not support locked gamma/beta");

    ComputationGraph frozen = new TransferLearning.GraphBuilder(graph()).setFeatureExtractor("pool").build();
    assertInstanceOf(FrozenLayer.class, frozen.getLayer("conv"));
    assertEquals(3, LayerHelpers.install(frozen));
    assertInstanceOf(MKLDNNConvHelper.class, ((FrozenLayer) frozen.getLayer("conv")).getInsideLayer().getHelper());
  }

  @Test
  void gradientsWithHelpersEqualGradientsWithout() {
    ComputationGraph withHelpers = graph();
    assertEquals(3, LayerHelpers.installStock(withHelpers));
    ComputationGraph without = graph();
    assertEquals(null, without.getLayer("conv").getHelper());
    without.setParams(withHelpers.params().dup());

    Nd4j.getRandom().setSeed(7);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 8, 8);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
    for (int i = 0; i < 4; i++) {
      y.putScalar(i, i % 3, 1f);
    }
    for (ComputationGraph g : List.of(withHelpers, without)) {
      g.setInputs(x);
      g.setLabels(y);
      g.computeGradientAndScore();
    }
    assertEquals(without.score(), withHelpers.score(), 1e-5);
    INDArray ga = withHelpers.gradient().gradient();
    INDArray gb = without.gradient().gradient();
    double maxAbs = Math.max(1e-3, gb.amaxNumber().doubleValue());
    double diff = ga.sub(gb).amaxNumber().doubleValue();
    assertTrue(diff < 1e-4 * maxAbs, "gradient difference " + diff + " (max |g| " + maxAbs + ")");
  }

  /**
   * The mechanism holds in a plain {@code java -cp} run: no -D flags, only the jars; JavaCPP picks
   * the -onednn natives by itself and no system property changes.
   */
  @Test
  void plainJavaRunWithoutFlagsGetsOneDnn() throws Exception {
    ChildJvm.Output out = ChildJvm.run(ChildJvm.testClassPath(), "1g", 120, PlainRunMain.class);
    assertEquals(0, out.exitCode(), out.text());
    assertTrue(out.text().contains("RESULT oneDNN in use, properties unchanged"), out.text());
  }

  /** Without the {@code -onednn} natives no helper is installed, and the report says what to add. */
  @Test
  void withoutOneDnnNativesNothingIsSwitchedOn() throws Exception {
    String cp = java.util.Arrays.stream(ChildJvm.testClassPath().split(File.pathSeparator))
        .filter(e -> !e.contains("-onednn")).collect(java.util.stream.Collectors.joining(File.pathSeparator));
    ChildJvm.Output out = ChildJvm.run(cp, "1g", 120, NoOneDnnMain.class);
    assertEquals(0, out.exitCode(), out.text());
    assertTrue(out.text().contains("RESULT natives=false installed=0 helpers={bn=none, conv=none, pool=none}"
        + " advice=add org.nd4j:nd4j-native:<version>:linux-x86_64-onednn to the class path"), out.text());
  }

  /** Child-JVM entry point for {@link #withoutOneDnnNativesNothingIsSwitchedOn()}. */
  public static final class NoOneDnnMain {
    public static void main(String[] args) {
      Dl4jRuntime.Report r = Dl4jRuntime.report();
      System.out.println("RESULT natives=" + Dl4jRuntime.oneDnnNativesOnClasspath()
          + " installed=" + LayerHelpers.install(graph())
          + " helpers=" + new java.util.TreeMap<>(r.helperByLayer()) + " advice=" + r.advice());
    }
  }

  /** Child-JVM entry point for {@link #plainJavaRunWithoutFlagsGetsOneDnn()}. */
  public static final class PlainRunMain {
    public static void main(String[] args) {
      java.util.Properties before = RuntimeSideEffectsTest.snapshot();
      Dl4jRuntime.Report r = Dl4jRuntime.report();
      System.out.println(r);
      Map<String, String> changed = RuntimeSideEffectsTest.changedSince(before);
      System.out.println("RESULT " + r.advice() + ", properties " + (changed.isEmpty() ? "unchanged" : "changed: " + changed));
    }
  }

  private static ComputationGraph graph() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(12).dataType(DataType.FLOAT)
        .graphBuilder()
        .addInputs("in")
        .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
        .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
        .addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "bn")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
            .activation(Activation.SOFTMAX).build(), "pool")
        .setOutputs("out")
        .setInputTypes(InputType.convolutional(8, 8, 1))
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }
}
