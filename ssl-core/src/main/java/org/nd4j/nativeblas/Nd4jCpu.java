package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Forwarding shim for DL4J 1.0.0-M2.1 bug B4 (oneDNN layer helpers never switch on).
 *
 * <p>{@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()} reflects on
 * {@code Class.forName("org.nd4j.nativeblas.Nd4jCpu$Environment")}, calls the static
 * {@code getInstance()} and then the instance method {@code isUseMKLDNN()}. ND4J M2.1 moved that
 * class to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and renamed the
 * method {@code isUseONEDNN()}, so the lookup throws, DL4J caches the failure and every
 * {@code MKLDNN*Helper} reports itself unsupported. This class exists only under the old name and
 * forwards to the new one, by reflection so that ssl-core does not need {@code nd4j-native} to
 * compile. It is not ssl4j API: do not use it directly. Remove it when DL4J looks up the new name
 * ({@code OneDnnRegressionTest} fails then).
 */
public final class Nd4jCpu {
  private Nd4jCpu() {}

  /** The subset of the old {@code Nd4jCpu.Environment} API that DL4J's helper check calls. */
  public static final class Environment {
    static final String REAL_CLASS = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";
    private static final Environment INSTANCE = new Environment();

    private Environment() {}

    /** @return the singleton, as the old native class had */
    public static Environment getInstance() {
      return INSTANCE;
    }

    /**
     * @return the native backend's {@code Environment.isUseONEDNN()}; false when the ND4J CPU
     *     backend is not on the classpath or cannot be queried
     */
    public boolean isUseMKLDNN() {
      try {
        Class<?> real = Class.forName(REAL_CLASS, true, Nd4jCpu.class.getClassLoader());
        Object env = real.getMethod("getInstance").invoke(null);
        Method m = real.getMethod("isUseONEDNN");
        return (Boolean) m.invoke(env);
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return false;
      }
    }

    /** Alias under the new name, for symmetry. */
    public boolean isUseONEDNN() {
      return isUseMKLDNN();
    }
  }
}
