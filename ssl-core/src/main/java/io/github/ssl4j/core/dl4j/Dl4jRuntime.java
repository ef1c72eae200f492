package io.github.ssl4j.core.dl4j;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DL4J/ND4J runtime set-up that makes training fast, applied when training starts, and a
 * report of what is in effect.
 *
 * <p>Loading ssl4j classes, loading an encoder and embedding change nothing outside their own
 * graphs. Training ({@code Trainer.fit}/{@code resume}, fine-tuning) calls {@link
 * #configureForTraining()}, which makes the one process-wide change ssl4j needs: it keeps glibc
 * from unmapping and re-faulting ND4J's large native buffers every step ({@link MallocTuning};
 * opt out with {@code -Dssl4j.malloc.tune=false}), and logs once, at INFO, what it changed. The
 * oneDNN kernels for convolution, pooling and batch-norm layers are set per graph by {@link
 * LayerHelpers#install} (opt out with {@code -Dssl4j.layerHelpers=none}); no system property is
 * set. Why DL4J needs this: docs/development/dl4j-workarounds.md.
 */
public final class Dl4jRuntime {
  private static final Logger log = LoggerFactory.getLogger(Dl4jRuntime.class);

  private static TrainingSetup setup;

  private Dl4jRuntime() {}

  /**
   * What {@link #configureForTraining()} did.
   *
   * @param malloc the allocator tuning's outcome
   * @param oneDnnHelpers whether {@link LayerHelpers#install} gives graphs oneDNN helpers in this
   *     process (oneDNN natives loaded, helpers allowed, not switched off)
   */
  public record TrainingSetup(MallocTuning.Outcome malloc, boolean oneDnnHelpers) {}

  /**
   * Applies the process-wide part of the training set-up ({@link MallocTuning#apply()}) once per
   * process and logs at INFO, once, what changed and how to opt out. Later calls return the first
   * result. Loads ND4J. Never throws for an unsupported platform: the result says what was not
   * done.
   *
   * @return what was done
   */
  public static synchronized TrainingSetup configureForTraining() {
    if (setup != null) {
      return setup;
    }
    MallocTuning.Outcome malloc = MallocTuning.apply();
    boolean helpers = LayerHelpers.choice() != LayerHelpers.Choice.NONE && LayerHelpers.oneDnnAvailable();
    setup = new TrainingSetup(malloc, helpers);
    StringBuilder msg = new StringBuilder("Training runtime: ");
    if (malloc.applied()) {
      msg.append("process-wide malloc tuning so native buffers are reused across steps (")
          .append(malloc.reason()).append("; opt out with -D").append(MallocTuning.PROPERTY).append("=false)");
    } else {
      msg.append("malloc left as is (").append(malloc.reason()).append(')');
      MallocAdvice.forThisProcess().ifPresent(a -> msg.append("; faster training: ").append(a));
    }
    msg.append("; ").append(helpers
        ? "oneDNN helpers on each training graph's convolution, pooling and batch-norm layers (opt out with -D"
            + LayerHelpers.PROPERTY + "=none)"
        : "no oneDNN layer helpers (" + Report.advice(oneDnnNativesOnClasspath(), LayerHelpers.choice()) + ")");
    if (helpers && LayerHelpers.choice() == LayerHelpers.Choice.SSL4J) {
      msg.append(OneDnn.available()
          ? "; convolution, batch-norm and pooling chains on oneDNN directly, in its blocked layouts (opt out with -D"
              + OneDnn.PROPERTY + "=false)"
          : "; not on oneDNN directly (add org.bytedeco:dnnl and org.bytedeco:opencl with this platform's "
              + "classifier, e.g. linux-x86_64, to the class path, or leave -D" + OneDnn.PROPERTY + " unset)");
    }
    log.info(msg.toString());
    return setup;
  }

  /**
   * @return whether ND4J's oneDNN native build ({@code nd4j-native} with a classifier {@code
   *     <platform>-onednn}) is on the class path; does not load ND4J
   */
  public static boolean oneDnnNativesOnClasspath() {
    String resource = "org/nd4j/linalg/cpu/nativecpu/bindings/" + platform() + LayerHelpers.ONEDNN_EXTENSION
        + "/" + System.mapLibraryName("jnind4jcpu");
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    if (cl == null) {
      cl = Dl4jRuntime.class.getClassLoader();
    }
    return cl.getResource(resource) != null;
  }

  /**
   * Builds a tiny float conv → batch-norm → pool graph, installs helpers on it as the trainer does
   * ({@link LayerHelpers#install}) and reports which helper each layer got. Loads ND4J; changes no
   * process-wide setting.
   *
   * @return a snapshot of the oneDNN configuration
   */
  public static Report report() {
    String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
    String buildInfo = "";
    try {
      buildInfo = Nd4j.getBackend().buildInfo();
    } catch (RuntimeException | LinkageError e) {
      // buildInfo is optional information
    }
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
    LayerHelpers.install(graph);
    Map<String, String> helpers = new LinkedHashMap<>();
    for (String name : new String[] {"conv", "bn", "pool"}) {
      LayerHelper h = graph.getLayer(name).getHelper();
      helpers.put(name, h == null ? "none" : h.getClass().getSimpleName());
    }
    return new Report(backend, buildInfo != null && buildInfo.contains("HAVE_ONEDNN"),
        LayerHelpers.loadedNativeLibrary(), oneDnnNativesOnClasspath(), LayerHelpers.choice().name().toLowerCase(Locale.ROOT),
        MallocTuning.applied(), Map.copyOf(helpers));
  }

  /**
   * What decides whether oneDNN is used.
   *
   * @param backend ND4J backend ("CPU", "CUDA")
   * @param oneDnnCompiledIn the loaded natives' build info mentions {@code HAVE_ONEDNN}
   * @param nativeLibrary the file ND4J's JNI library was loaded from ("" if unknown)
   * @param oneDnnNativesOnClasspath the {@code -onednn} native jar is on the class path
   * @param layerHelpers the {@value LayerHelpers#PROPERTY} choice in effect: ssl4j, stock or none
   * @param mallocTuned whether {@link MallocTuning} changed glibc's settings in this process
   * @param helperByLayer helper class simple name of the probe layers "conv", "bn", "pool" ("none"
   *     when DL4J's built-in Java implementation is used)
   */
  public record Report(String backend, boolean oneDnnCompiledIn, String nativeLibrary,
      boolean oneDnnNativesOnClasspath, String layerHelpers, boolean mallocTuned,
      Map<String, String> helperByLayer) {

    /** @return whether all probe layers use oneDNN helpers */
    public boolean allLayersUseOneDnn() {
      return helperByLayer.values().stream().allMatch(s -> !s.equals("none"));
    }

    /** @return a one-paragraph hint on what to change, or "oneDNN in use" */
    public String advice() {
      if (allLayersUseOneDnn() && oneDnnCompiledIn) {
        return "oneDNN in use";
      }
      if (!"CPU".equalsIgnoreCase(backend)) {
        return "not the ND4J CPU backend (" + backend + "): oneDNN does not apply";
      }
      return advice(oneDnnNativesOnClasspath, LayerHelpers.Choice.valueOf(layerHelpers.toUpperCase(Locale.ROOT)));
    }

    static String advice(boolean nativesOnClasspath, LayerHelpers.Choice choice) {
      if (choice == LayerHelpers.Choice.NONE) {
        return "switched off by -D" + LayerHelpers.PROPERTY + "=none or -D"
            + LayerHelpers.DL4J_HELPERS_DISABLE_PROPERTY + "=true";
      }
      if (!nativesOnClasspath) {
        return "add org.nd4j:nd4j-native:<version>:" + platform() + LayerHelpers.ONEDNN_EXTENSION
            + " to the class path";
      }
      return "the oneDNN natives are on the class path but another ND4J build was loaded: remove"
          + " -Dorg.bytedeco.javacpp.platform.extension or set it to " + LayerHelpers.ONEDNN_EXTENSION
          + ", and check that ND4J allows helpers (Nd4j.getEnvironment().helpersAllowed())";
    }
  }

  private static String platform() {
    try {
      Class<?> loader = Class.forName("org.bytedeco.javacpp.Loader", true, Dl4jRuntime.class.getClassLoader());
      return (String) loader.getMethod("getPlatform").invoke(null);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return "linux-x86_64";
    }
  }
}
