package io.github.ssl4j.core.dl4j;

import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.convolution.Convolution3DLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.layers.convolution.SeparableConvolution2DLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts oneDNN kernels under the layers of one graph: DL4J's oneDNN helpers on its convolution and
 * pooling layers, ssl4j's {@link FastStatsBatchNormHelper} on its batch-norm layers. Nothing
 * outside the given graph changes: no system property, no other graph.
 *
 * <p>DL4J 1.0.0-M2.1 gives layers these helpers only when the JVM-wide property {@value
 * #DL4J_HELPERS_DISABLE_PROPERTY} is {@code false}, and then drops them again because its
 * availability check looks up a class that ND4J renamed (docs/development/dl4j-workarounds.md). This class
 * sets the helpers itself, on the layers DL4J would give them to: {@code ConvolutionLayer} and
 * {@code Convolution1DLayer} (not the deconvolution, 3-D, depthwise or separable ones), {@code
 * SubsamplingLayer} and {@code Subsampling1DLayer}, and {@code BatchNormalization} without locked
 * gamma/beta, also inside frozen (wrapper) layers. Local response normalisation is left alone:
 * DL4J disabled its oneDNN helper. Helpers decline unsupported cases (e.g. double precision) call
 * by call, and the layer then runs DL4J's own code.
 *
 * <p>It does nothing unless the ND4J CPU backend is loaded from the oneDNN native build ({@code
 * nd4j-native} with classifier {@code <platform>-onednn}; JavaCPP prefers that build whenever it
 * is on the class path) and ND4J allows helpers. {@code -D}{@value #PROPERTY}{@code =stock} keeps
 * DL4J's own oneDNN batch-norm helper, {@code =none} (or {@code
 * -Dorg.eclipse.deeplearning4j.helpers.disable=true}) installs nothing. The trainer, the fine-tune
 * adapter and {@code PretrainedEncoder} call {@link #install} on every graph they build or load;
 * call it on graphs you build yourself. Idempotent.
 */
public final class LayerHelpers {
  private static final Logger log = LoggerFactory.getLogger(LayerHelpers.class);

  /** System property: {@code stock} keeps DL4J's batch-norm helper, {@code none} installs nothing. */
  public static final String PROPERTY = "ssl4j.layerHelpers";
  /** DL4J's own switch for layer helpers; an explicit {@code true} is honoured as "none". */
  public static final String DL4J_HELPERS_DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

  /** The file name part of ND4J's oneDNN native build directory, e.g. {@code linux-x86_64-onednn}. */
  static final String ONEDNN_EXTENSION = "-onednn";
  private static final String NATIVE_LIBRARY = "jnind4jcpu";
  private static final String LOADER_CLASS = "org.bytedeco.javacpp.Loader";

  private static final Field CONV_HELPER = field(ConvolutionLayer.class, "helper");
  private static final Field POOL_HELPER = field(SubsamplingLayer.class, "helper");
  private static final Field BN_HELPER = field(BatchNormalization.class, "helper");

  /** Convolution layers whose DL4J class never creates a helper. */
  private static final Class<?>[] CONV_WITHOUT_HELPER = {Deconvolution2DLayer.class,
      Convolution3DLayer.class, DepthwiseConvolution2DLayer.class, SeparableConvolution2DLayer.class};

  private static volatile Boolean oneDnnLoaded;

  /** Which helpers to install. */
  enum Choice {
    /** oneDNN for convolution and pooling, {@link FastStatsBatchNormHelper} for batch norm. */
    SSL4J,
    /** DL4J's own oneDNN helpers only. */
    STOCK,
    /** None. */
    NONE
  }

  private LayerHelpers() {}

  /**
   * Installs oneDNN helpers on the graph's layers, as chosen by {@value #PROPERTY} (default:
   * ssl4j's). Loads ND4J.
   *
   * @param graph an initialised graph
   * @return the number of layers whose helper was set or replaced (0 when oneDNN is not available,
   *     helpers are switched off, or they are already installed)
   */
  public static int install(ComputationGraph graph) {
    Objects.requireNonNull(graph, "graph");
    return install(graph, choice());
  }

  /**
   * Installs DL4J's own oneDNN helpers (for comparisons with {@link #install}): what DL4J would
   * install if its availability check worked.
   *
   * @param graph an initialised graph
   * @return the number of layers whose helper was set or replaced
   */
  public static int installStock(ComputationGraph graph) {
    Objects.requireNonNull(graph, "graph");
    return install(graph, Choice.STOCK);
  }

  static int install(ComputationGraph graph, Choice choice) {
    if (choice == Choice.NONE || CONV_HELPER == null || POOL_HELPER == null || BN_HELPER == null
        || !oneDnnAvailable()) {
      return 0;
    }
    int changed = 0;
    for (Layer layer : graph.getLayers()) {
      changed += installOn(unwrap(layer), choice) ? 1 : 0;
    }
    linkOneDnnLayouts(graph);
    return changed;
  }

  /**
   * Lets each layer that can leave its output in a oneDNN layout ({@link OneDnnLayouts.Layer}) do
   * so when its output goes to exactly one layer, which reads such arrays, with no preprocessor in
   * between, and is not a network output.
   */
  private static void linkOneDnnLayouts(ComputationGraph graph) {
    Set<String> outputs = new HashSet<>(graph.getConfiguration().getNetworkOutputs());
    GraphVertex[] vertices = graph.getVertices();
    for (GraphVertex v : vertices) {
      if (!v.hasLayer() || !(v.getLayer() instanceof OneDnnLayouts.Layer producer)) {
        continue;
      }
      VertexIndices[] next = v.getOutputVertices();
      boolean allowed = false;
      if (next != null && next.length == 1 && !outputs.contains(v.getVertexName()) && producer.readsOneDnnLayouts()) {
        GraphVertex consumer = vertices[next[0].getVertexIndex()];
        allowed = consumer.hasLayer() && consumer.getLayer() instanceof OneDnnLayouts.Layer c
            && c.readsOneDnnLayouts() && consumer.getNumInputArrays() == 1
            && !(consumer instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex lv
                && lv.getLayerPreProcessor() != null);
      }
      producer.oneDnnOutput(allowed);
    }
  }

  /**
   * @return whether ND4J runs on the CPU backend loaded from its oneDNN native build and allows
   *     helpers: the condition under which {@link #install} does anything. Loads ND4J.
   */
  public static boolean oneDnnAvailable() {
    Boolean loaded = oneDnnLoaded;
    if (loaded == null) {
      String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
      loaded = "CPU".equalsIgnoreCase(backend) && loadedNativeLibrary().contains(ONEDNN_EXTENSION);
      oneDnnLoaded = loaded;
    }
    return loaded && Nd4j.getEnvironment().helpersAllowed();
  }

  /** @return the file ND4J's JNI library was loaded from, or "" if unknown (e.g. not loaded) */
  static String loadedNativeLibrary() {
    try {
      Class<?> loader = Class.forName(LOADER_CLASS, true, LayerHelpers.class.getClassLoader());
      Map<?, ?> libraries = (Map<?, ?>) loader.getMethod("getLoadedLibraries").invoke(null);
      for (Map.Entry<?, ?> e : libraries.entrySet()) {
        if (String.valueOf(e.getKey()).startsWith(NATIVE_LIBRARY)) {
          return String.valueOf(e.getValue());
        }
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      log.debug("Cannot tell which ND4J natives are loaded: {}", e.toString());
    }
    return "";
  }

  static Choice choice() {
    if ("true".equalsIgnoreCase(System.getProperty(DL4J_HELPERS_DISABLE_PROPERTY, "").trim())) {
      return Choice.NONE;
    }
    String value = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "", "ssl4j" -> Choice.SSL4J;
      case "stock" -> Choice.STOCK;
      case "none" -> Choice.NONE;
      default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + value
          + " is not a layer-helper choice; use ssl4j (the default), stock or none");
    };
  }

  private static Layer unwrap(Layer layer) {
    Layer l = layer;
    while (l instanceof BaseWrapperLayer w) {
      l = w.getUnderlying();
    }
    return l;
  }

  private static boolean installOn(Layer layer, Choice choice) {
    if (layer instanceof ConvolutionLayer conv) {
      for (Class<?> c : CONV_WITHOUT_HELPER) {
        if (c.isInstance(conv)) {
          return false;
        }
      }
      return setIfAbsent(CONV_HELPER, conv, () -> new MKLDNNConvHelper(conv.getDataType()));
    }
    if (layer instanceof SubsamplingLayer pool) {
      LayerHelper current = get(POOL_HELPER, pool);
      if (choice == Choice.SSL4J && OneDnn.available()
          && (current == null || current instanceof MKLDNNSubsamplingHelper)) {
        return set(POOL_HELPER, pool, new OneDnnMaxPoolingHelper(current instanceof MKLDNNSubsamplingHelper m
            ? m : new MKLDNNSubsamplingHelper(pool.getDataType())));
      }
      return current == null && set(POOL_HELPER, pool, new MKLDNNSubsamplingHelper(pool.getDataType()));
    }
    if (layer instanceof BatchNormalization bn && !bn.layerConf().isLockGammaBeta()) {
      LayerHelper current = get(BN_HELPER, bn);
      if (choice == Choice.SSL4J && (current == null || current instanceof MKLDNNBatchNormHelper)) {
        return set(BN_HELPER, bn, OneDnn.available() ? new OneDnnBatchNormHelper(new FastStatsBatchNormHelper())
            : new FastStatsBatchNormHelper());
      }
      return current == null && set(BN_HELPER, bn, new MKLDNNBatchNormHelper(bn.getDataType()));
    }
    return false;
  }

  private static boolean setIfAbsent(Field field, AbstractLayer<?> layer, Supplier<LayerHelper> helper) {
    return get(field, layer) == null && set(field, layer, helper.get());
  }

  private static LayerHelper get(Field field, Layer layer) {
    try {
      return (LayerHelper) field.get(layer);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  private static boolean set(Field field, Layer layer, LayerHelper helper) {
    try {
      field.set(layer, helper);
      return true;
    } catch (IllegalAccessException e) {
      log.debug("Could not set the helper of layer {}: {}", layer.conf().getLayer().getLayerName(), e.toString());
      return false;
    }
  }

  private static Field field(Class<?> type, String name) {
    try {
      Field f = type.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      // another DL4J version: leave its layers alone
      log.debug("DL4J's {} has no accessible field '{}': {}", type.getSimpleName(), name, e.toString());
      return null;
    }
  }
}
