package io.github.ssl4j.core.dl4j;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The wiring every DL4J layer configuration's {@code instantiate} does for its runtime layer, in
 * one place for the ssl4j layers that return their own runtime subclass.
 */
public final class RuntimeLayers {
  private RuntimeLayers() {}

  /**
   * Sets listeners (if any), index, parameter view, parameter table (initialised when asked) and
   * configuration on {@code runtime}, exactly as DL4J's own layer configurations do.
   *
   * @param runtime the runtime layer to set up, not null
   * @param config the layer configuration that is instantiating, not null
   * @param conf the layer's network configuration, not null
   * @param listeners training listeners, or null for none
   * @param paramsView the layer's view of the network's parameters (null or empty when it has none)
   * @return {@code runtime}
   */
  public static <L extends Layer> L wire(L runtime, org.deeplearning4j.nn.conf.layers.Layer config,
      NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
      INDArray paramsView, boolean initializeParams) {
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(conf, "conf");
    if (listeners != null) {
      runtime.setListeners(listeners);
    }
    runtime.setIndex(layerIndex);
    runtime.setParamsViewArray(paramsView);
    Map<String, INDArray> paramTable = config.initializer().init(conf, paramsView, initializeParams);
    runtime.setParamTable(paramTable);
    runtime.setConf(conf);
    return runtime;
  }
}
