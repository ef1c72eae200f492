package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** B4: with the test classpath (oneDNN natives) the conv/BN/pool layers run on oneDNN helpers. */
class OneDnnSetupTest {

  @Test
  void convBnPoolLayersUseOneDnnHelpers() {
    Dl4jSetup.Report r = Dl4jSetup.report();
    assertEquals("CPU", r.backend(), r.toString());
    assertTrue(r.oneDnnCompiledIn(), "natives without HAVE_ONEDNN: " + r + " / " + r.advice());
    assertTrue(r.useOneDnn(), r.toString());
    assertTrue(r.dl4jHelperCheck(), "BaseMKLDNNHelper.mklDnnEnabled() false: " + r);
    assertEquals(Map.of("conv", "MKLDNNConvHelper", "bn", "MKLDNNBatchNormHelper",
        "pool", "MKLDNNSubsamplingHelper"), r.helperByLayer(), r.advice());
    assertEquals("oneDNN in use", r.advice());
  }

  @Test
  void gradientsWithHelpersEqualGradientsWithout() {
    Dl4jSetup.ensureConfigured();
    ComputationGraph withHelpers = graph();
    assertTrue(withHelpers.getLayer("conv").getHelper() != null, "helper expected");
    String old = System.getProperty(Dl4jSetup.HELPERS_DISABLE_PROPERTY);
    ComputationGraph without;
    try {
      System.setProperty(Dl4jSetup.HELPERS_DISABLE_PROPERTY, "true");
      without = graph();
    } finally {
      System.setProperty(Dl4jSetup.HELPERS_DISABLE_PROPERTY, old);
    }
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
   * The fix holds in a plain {@code java -cp} run: no -D flags, only the jars, and ssl4j calling
   * {@link Dl4jSetup#ensureConfigured()} before ND4J loads.
   */
  @Test
  void plainJavaRunWithoutFlagsGetsOneDnn() throws Exception {
    ChildJvm.Output out = ChildJvm.run(ChildJvm.testClassPath(), "1g", 120, PlainRunMain.class);
    assertEquals(0, out.exitCode(), out.text());
    assertTrue(out.text().contains("RESULT oneDNN in use"), out.text());
  }

  /**
   * Without the {@code -onednn} natives, DL4J's defaults are left alone: its "MKLDNN" helpers would
   * then call ND4J's generic kernels, which measured slower than DL4J's own path.
   */
  @Test
  void withoutOneDnnNativesNothingIsSwitchedOn() throws Exception {
    String cp = java.util.Arrays.stream(ChildJvm.testClassPath().split(File.pathSeparator))
        .filter(e -> !e.contains("-onednn")).collect(java.util.stream.Collectors.joining(File.pathSeparator));
    ChildJvm.Output out = ChildJvm.run(cp, null, 60, NoOneDnnMain.class);
    assertEquals(0, out.exitCode(), out.text());
    assertTrue(out.text().contains("RESULT natives=false helpers=null extension=null"), out.text());
  }

  /** Child-JVM entry point for {@link #withoutOneDnnNativesNothingIsSwitchedOn()}; never loads ND4J. */
  public static final class NoOneDnnMain {
    public static void main(String[] args) {
      Dl4jSetup.ensureConfigured();
      System.out.println("RESULT natives=" + Dl4jSetup.oneDnnNativesOnClasspath()
          + " helpers=" + System.getProperty(Dl4jSetup.HELPERS_DISABLE_PROPERTY)
          + " extension=" + System.getProperty(Dl4jSetup.PLATFORM_EXTENSION_PROPERTY));
    }
  }

  /** Child-JVM entry point for {@link #plainJavaRunWithoutFlagsGetsOneDnn()}. */
  public static final class PlainRunMain {
    public static void main(String[] args) {
      if (System.getProperty(Dl4jSetup.HELPERS_DISABLE_PROPERTY) != null
          || System.getProperty(Dl4jSetup.PLATFORM_EXTENSION_PROPERTY) != null) {
        throw new IllegalStateException("child JVM must start without the -D flags");
      }
      Dl4jSetup.ensureConfigured();
      Dl4jSetup.Report r = Dl4jSetup.report();
      System.out.println(r);
      System.out.println("RESULT " + r.advice());
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
