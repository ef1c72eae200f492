package io.github.ssl4j.core.dl4j;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

/**
 * Switches DL4J's oneDNN layer helpers on by default (DESIGN B4), keeps glibc from re-faulting
 * native buffers ({@link MallocTuning}), and reports what is in use.
 *
 * <p>DL4J 1.0.0-M2.1 never uses oneDNN for conv/batch-norm/pooling layers out of the box, which
 * costs about 3× in CNN training speed. Three causes, and what {@link #ensureConfigured()} does:
 *
 * <ol>
 *   <li>Layer helpers are disabled unless {@code org.eclipse.deeplearning4j.helpers.disable=false}.
 *       DL4J reads this property every time a layer is instantiated, so it is set here (only if
 *       the user did not set it, and only if the oneDNN natives are present) before any graph is
 *       initialised.
 *   <li>{@code BaseMKLDNNHelper.mklDnnEnabled()} looks up a class that ND4J M2.1 renamed; ssl-core
 *       ships {@code org.nd4j.nativeblas.Nd4jCpu$Environment}, a forwarding class at the old name.
 *       Nothing to do at runtime.
 *   <li>The default {@code nd4j-native:linux-x86_64} build has no oneDNN. With the {@code
 *       linux-x86_64-onednn} classifier on the classpath, JavaCPP only picks it when {@code
 *       org.bytedeco.javacpp.platform.extension=-onednn}. JavaCPP reads that property once, when
 *       the first native library is loaded, so it is set here (only if unset, and only if the
 *       {@code -onednn} natives are on the classpath) — which works only if this runs before the
 *       first use of {@code Nd4j}. ssl4j's entry points call it first; applications that touch
 *       {@code Nd4j} earlier should call it at the top of {@code main} (or pass the flag).
 * </ol>
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   Dl4jSetup.ensureConfigured();      // before anything touches Nd4j
 *   System.out.println(Dl4jSetup.report());
 * }
 * }</pre>
 */
public final class Dl4jSetup {
  /** DL4J's switch for cuDNN/oneDNN layer helpers ("true" by default in M2.1). */
  public static final String HELPERS_DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
  /** JavaCPP's platform extension; "-onednn" selects ND4J's oneDNN native build. */
  public static final String PLATFORM_EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
  /** The extension of ND4J's oneDNN native build. */
  public static final String ONEDNN_EXTENSION = "-onednn";

  private static final String NATIVE_DIR = "org/nd4j/linalg/cpu/nativecpu/bindings/";
  private static final String ENV_CLASS = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";
  private static final String LOADER_CLASS = "org.bytedeco.javacpp.Loader";

  private static volatile boolean configured;

  private Dl4jSetup() {}

  /**
   * When ND4J's oneDNN natives are on the classpath, sets the DL4J/JavaCPP system properties that
   * make conv/batch-norm/pooling layers use them, leaving any value the user set; otherwise does
   * nothing. Idempotent and cheap after the first call; never loads ND4J's natives itself. Call it
   * before the first graph is initialised (ssl4j's entry points do).
   */
  public static synchronized void ensureConfigured() {
    if (configured) {
      return;
    }
    configured = true;
    // Keep glibc from re-faulting ND4J's large buffers every step (2-3x on W1/W2); only if that
    // cannot be done from inside the JVM, say how to do it from outside.
    MallocTuning.Outcome malloc = MallocTuning.apply();
    LoggerFactory.getLogger(Dl4jSetup.class).debug("malloc tuning: {}", malloc.reason());
    if (!malloc.applied()) {
      MallocAdvice.forThisProcess().ifPresent(a -> LoggerFactory.getLogger(Dl4jSetup.class).info("Faster training: {}", a));
    }
    if (!oneDnnNativesOnClasspath()) {
      // Without oneDNN compiled in, DL4J's "MKLDNN" helpers still switch on but call ND4J's
      // generic kernels, which measured slower than DL4J's own path: leave DL4J's defaults.
      return;
    }
    if (System.getProperty(HELPERS_DISABLE_PROPERTY) == null) {
      System.setProperty(HELPERS_DISABLE_PROPERTY, "false");
    }
    if (System.getProperty(PLATFORM_EXTENSION_PROPERTY) == null) {
      // JavaCPP 1.5.7 already prefers the -onednn natives when that jar is on the classpath; set
      // the extension anyway so the choice does not depend on that. Loader caches its properties
      // on first use, so this only has an effect before ND4J loads.
      System.setProperty(PLATFORM_EXTENSION_PROPERTY, ONEDNN_EXTENSION);
    }
  }

  /**
   * @return whether ND4J's oneDNN native build ({@code nd4j-native} with classifier {@code
   *     <platform>-onednn}) is on the classpath
   */
  public static boolean oneDnnNativesOnClasspath() {
    String resource = NATIVE_DIR + platform() + ONEDNN_EXTENSION + "/" + System.mapLibraryName("jnind4jcpu");
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    if (cl == null) {
      cl = Dl4jSetup.class.getClassLoader();
    }
    return cl.getResource(resource) != null;
  }

  /**
   * Builds a tiny conv → batch-norm → pool graph (float) and reports which helper each layer got,
   * together with the backend facts that decide it. Loads ND4J.
   *
   * @return a snapshot of the oneDNN configuration
   */
  public static Report report() {
    ensureConfigured();
    String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
    String buildInfo = "";
    try {
      buildInfo = Nd4j.getBackend().buildInfo();
    } catch (RuntimeException | LinkageError e) {
      // buildInfo is optional information
    }
    boolean compiledIn = buildInfo != null && buildInfo.contains("HAVE_ONEDNN");
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .dataType(DataType.FLOAT)
        .graphBuilder()
        .addInputs("in")
        .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(2).build(), "in")
        .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
        .addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "bn")
        .setOutputs("pool")
        .setInputTypes(InputType.convolutional(6, 6, 1))
        .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    Map<String, String> helpers = new LinkedHashMap<>();
    for (String name : new String[] {"conv", "bn", "pool"}) {
      LayerHelper h = graph.getLayer(name).getHelper();
      helpers.put(name, h == null ? "none" : h.getClass().getSimpleName());
    }
    return new Report(backend, useOneDnn(), compiledIn,
        !Boolean.parseBoolean(System.getProperty(HELPERS_DISABLE_PROPERTY, "true")),
        BaseMKLDNNHelper.mklDnnEnabled(), System.getProperty(PLATFORM_EXTENSION_PROPERTY, ""),
        oneDnnNativesOnClasspath(), Map.copyOf(helpers));
  }

  /**
   * What decides whether oneDNN is used.
   *
   * @param backend ND4J backend ("CPU", "CUDA")
   * @param useOneDnn native {@code Environment.isUseONEDNN()} (false if not the CPU backend)
   * @param oneDnnCompiledIn native build info mentions {@code HAVE_ONEDNN}
   * @param helpersEnabled {@value #HELPERS_DISABLE_PROPERTY} is "false"
   * @param dl4jHelperCheck {@code BaseMKLDNNHelper.mklDnnEnabled()}, the check every MKLDNN helper
   *     makes
   * @param platformExtension JavaCPP platform extension in effect (empty if none)
   * @param oneDnnNativesOnClasspath the {@code -onednn} native jar is on the classpath
   * @param helperByLayer helper class simple name of the probe layers "conv", "bn", "pool" ("none"
   *     when DL4J's built-in Java implementation is used)
   */
  public record Report(String backend, boolean useOneDnn, boolean oneDnnCompiledIn,
      boolean helpersEnabled, boolean dl4jHelperCheck, String platformExtension,
      boolean oneDnnNativesOnClasspath, Map<String, String> helperByLayer) {

    /** @return whether all probe layers use oneDNN helpers */
    public boolean allLayersUseOneDnn() {
      return helperByLayer.values().stream().allMatch(s -> s.startsWith("MKLDNN"));
    }

    /** @return a one-paragraph hint on what to change, or "oneDNN in use" */
    public String advice() {
      if (allLayersUseOneDnn() && oneDnnCompiledIn) {
        return "oneDNN in use";
      }
      StringBuilder sb = new StringBuilder();
      if (!"CPU".equalsIgnoreCase(backend)) {
        return "not the ND4J CPU backend (" + backend + "): oneDNN does not apply";
      }
      if (!oneDnnNativesOnClasspath) {
        sb.append("add org.nd4j:nd4j-native:<version>:").append(platform())
            .append(ONEDNN_EXTENSION).append(" to the classpath; ");
      } else if (!oneDnnCompiledIn) {
        sb.append("the oneDNN natives are on the classpath but not loaded: pass -D")
            .append(PLATFORM_EXTENSION_PROPERTY).append('=').append(ONEDNN_EXTENSION)
            .append(" or call Dl4jSetup.ensureConfigured() before the first use of Nd4j; ");
      }
      if (!helpersEnabled) {
        sb.append("-D").append(HELPERS_DISABLE_PROPERTY).append("=true disables layer helpers; ");
      }
      if (!dl4jHelperCheck) {
        sb.append("DL4J's oneDNN check failed (BaseMKLDNNHelper.mklDnnEnabled() is false); ");
      }
      return sb.toString().trim();
    }
  }

  /** @return native {@code Environment.isUseONEDNN()}, false when the CPU backend is absent */
  static boolean useOneDnn() {
    try {
      Class<?> env = Class.forName(ENV_CLASS, true, Dl4jSetup.class.getClassLoader());
      Object instance = env.getMethod("getInstance").invoke(null);
      return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return false;
    }
  }

  private static String platform() {
    try {
      Class<?> loader = Class.forName(LOADER_CLASS, true, Dl4jSetup.class.getClassLoader());
      return (String) loader.getMethod("getPlatform").invoke(null);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return "linux-x86_64";
    }
  }
}
