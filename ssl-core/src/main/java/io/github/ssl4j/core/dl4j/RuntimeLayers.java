package io.github.ssl4j.core.dl4j;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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

  /**
   * Copies every instance field that {@code type} and its superclasses declare from {@code built}
   * into {@code target}: for an ssl4j subclass of a DL4J layer configuration whose builder's
   * constructor is private, so that the subclass is built by DL4J's own builder and then copied.
   *
   * @param type the DL4J configuration class whose fields (and its superclasses') are copied
   * @param built a configuration built by DL4J's builder, not null
   * @param target the subclass instance to fill, not null
   * @return {@code target}
   * @throws IllegalStateException if a field cannot be copied
   */
  public static <C, T extends C> T copyConfiguration(Class<C> type, C built, T target) {
    Objects.requireNonNull(built, "built");
    Objects.requireNonNull(target, "target");
    for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        try {
          f.setAccessible(true);
          f.set(target, f.get(built));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("cannot copy " + type.getSimpleName() + " field " + f, e);
        }
      }
    }
    return target;
  }
}
