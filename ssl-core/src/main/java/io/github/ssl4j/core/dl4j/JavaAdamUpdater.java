package io.github.ssl4j.core.dl4j;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RecursiveAction;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.PowPairwise;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * DL4J's Adam step ({@link AdamUpdater}, libnd4j's {@code adam_updater} op) computed in Java on
 * the arrays' buffers, split over the CPU's cores; {@link #install} puts it into a network's
 * updater.
 *
 * <p>libnd4j computes Adam one element at a time. This class copies blocks of the gradient and of
 * the state into small {@code float[]} arrays, on which the JIT compiler vectorizes the step, and
 * shares the work between the calling thread and the common fork-join pool. Results are those of
 * nd4j-native's x86-64 build (plain single-precision arithmetic, no fused multiply-add) to the
 * bit; builds for newer instruction sets may differ from both in the last bit. For every element,
 * with {@code t = iteration + 1} and every value a float,
 *
 * <pre>
 * m = beta1·m + g·(1 − beta1)
 * v = beta2·v + g·g·(1 − beta2)
 * g = (m·alpha) / (√v + epsilon),   alpha = lr·√(1 − beta2^t) / (1 − beta1^t)
 * </pre>
 *
 * <p>in libnd4j's order of operations (the division of {@code alpha} in double), with {@code alpha
 * = epsilon} when it comes out NaN, infinite or 0 (as in DL4J, a learning rate of 0 therefore
 * steps by {@code epsilon}). The powers {@code beta^t} come from ND4J's own {@code pow}, the
 * C library's single-precision {@code powf} that libnd4j calls, because {@link Math#pow} rounded
 * to float does not always equal it in the last bit.
 *
 * <p>The state is DL4J's: this class wraps an {@link AdamUpdater} and hands {@link #setState},
 * {@link #getState} and {@link #setStateViewArray} to it, so the state view array is split into
 * the first moments {@code m} (first half) and the second moments {@code v} (second half) exactly
 * as DL4J does, and saving and restoring a network's updater state ({@code ModelSerializer}, the
 * updater's state view array) is unchanged. The Java path takes a {@code FLOAT} gradient and
 * state of the same length, each stored contiguously (a vector with unit stride or a
 * {@code c}-ordered array; views with an offset included); anything else ({@code DOUBLE}, {@code
 * HALF}, strided views) runs DL4J's op unchanged. Not thread-safe, like DL4J's updaters.
 */
public final class JavaAdamUpdater implements GradientUpdater<Adam> {
  /**
   * Set to {@code false} to keep DL4J's Adam: {@link #install} then puts DL4J's updater back
   * where it had installed this one.
   */
  public static final String PROPERTY = "ssl4j.javaAdam";

  /** Elements per scratch block: three blocks of floats fit a core's first-level data cache. */
  static final int BLOCK = 1024;

  /** Fewest elements a task of its own is worth; shorter arrays run on the calling thread. */
  static final int MIN_PER_TASK = 1 << 15;

  /** Most tasks a step is split into: one per processor the JVM may use. */
  private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

  private final AdamUpdater dl4j;
  /** [beta1, beta2], [t, t] and [beta1^t, beta2^t] for ND4J's pow; made on first use. */
  private INDArray powBase;
  private INDArray powExponent;
  private INDArray powResult;

  /**
   * An updater with a fresh {@link AdamUpdater} of {@code config}; its state is set as DL4J's is,
   * through {@link #setStateViewArray} or {@link #setState}.
   *
   * @param config the configuration, not null; kept, not copied (as DL4J does)
   */
  public JavaAdamUpdater(Adam config) {
    this(new AdamUpdater(Objects.requireNonNull(config, "config")));
  }

  /**
   * An updater that computes {@code dl4j}'s steps: it shares {@code dl4j}'s configuration and
   * state arrays, and further state changes go to {@code dl4j}.
   *
   * @param dl4j DL4J's updater, not null, with or without state
   */
  public JavaAdamUpdater(AdamUpdater dl4j) {
    this.dl4j = Objects.requireNonNull(dl4j, "dl4j");
  }

  /** @return the DL4J updater this one computes the steps of, whose state it uses */
  public AdamUpdater dl4jUpdater() {
    return dl4j;
  }

  @Override
  public Adam getConfig() {
    return dl4j.getConfig();
  }

  /**
   * As {@link AdamUpdater#setState}: {@code stateMap} holds exactly the arrays {@code "M"} and
   * {@code "V"}, used directly.
   *
   * @throws IllegalStateException if other keys are present or one is missing
   */
  @Override
  public void setState(Map<String, INDArray> stateMap, boolean initialize) {
    dl4j.setState(stateMap, initialize);
  }

  /** As {@link AdamUpdater#getState}: a new map of {@code "M"} and {@code "V"} to the state arrays. */
  @Override
  public Map<String, INDArray> getState() {
    return dl4j.getState();
  }

  /**
   * As {@link AdamUpdater#setStateViewArray}: the first half of the row vector {@code viewArray}
   * becomes {@code m}, the second {@code v}, each of {@code gradientShape}.
   *
   * @throws IllegalArgumentException if {@code viewArray} is not a row vector
   * @throws IllegalStateException if the halves cannot take {@code gradientShape} without a copy
   */
  @Override
  public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
    dl4j.setStateViewArray(viewArray, gradientShape, gradientOrder, initialize);
  }

  /**
   * Replaces {@code gradient} by the Adam update of global step {@code iteration}, and updates
   * {@code m} and {@code v}, with the learning rate {@code getConfig().getLearningRate(iteration,
   * epoch)} (schedules included).
   *
   * @param gradient the gradient, overwritten with the update; of the state's length
   * @throws IllegalStateException if the state has not been set (as DL4J)
   */
  @Override
  public void applyUpdater(INDArray gradient, int iteration, int epoch) {
    INDArray m = dl4j.getM();
    INDArray v = dl4j.getV();
    if (m == null || v == null || gradient == null || !contiguousFloats(gradient, m, v)) {
      dl4j.applyUpdater(gradient, iteration, epoch);
      return;
    }
    Adam config = dl4j.getConfig();
    float lr = (float) config.getLearningRate(iteration, epoch);
    float beta1 = (float) config.getBeta1();
    float beta2 = (float) config.getBeta2();
    float epsilon = (float) config.getEpsilon();
    float t = (float) iteration + 1f;
    float[] powers = powers(beta1, beta2, t);
    float alpha = stepSize(lr, powers[0], powers[1], epsilon);
    Step step = new Step(FloatBuffers.of(gradient), FloatBuffers.of(m), FloatBuffers.of(v), beta1, beta2, epsilon, alpha);
    int n = (int) gradient.length();
    int tasks = (int) Math.max(1, Math.min(PROCESSORS, n / MIN_PER_TASK));
    if (tasks == 1) {
      step.run(0, n);
    } else {
      new Range(step, 0, n, (n + tasks - 1) / tasks).invoke();
    }
    // the buffers do not keep the arrays, which free their memory when collected
    Reference.reachabilityFence(gradient);
    Reference.reachabilityFence(m);
    Reference.reachabilityFence(v);
  }

  /**
   * libnd4j's step size {@code lr·√(1 − beta2^t) / (1 − beta1^t)}: the square root in float, the
   * division in double, the result rounded to float; {@code epsilon} when that is NaN, infinite
   * or 0.
   */
  static float stepSize(float lr, float beta1T, float beta2T, float epsilon) {
    float numerator = lr * (float) Math.sqrt((float) (1.0 - beta2T));
    float alpha = (float) (numerator / (1.0 - beta1T));
    return Float.isNaN(alpha) || alpha == 0 || Float.isInfinite(alpha) ? epsilon : alpha;
  }

  /** [beta1^t, beta2^t] from ND4J's single-precision pow. */
  private float[] powers(float beta1, float beta2, float t) {
    if (powBase == null) {
      try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        powBase = Nd4j.create(DataType.FLOAT, 2);
        powExponent = Nd4j.create(DataType.FLOAT, 2);
        powResult = Nd4j.create(DataType.FLOAT, 2);
      }
    }
    powBase.putScalar(0, beta1);
    powBase.putScalar(1, beta2);
    powExponent.putScalar(0, t);
    powExponent.putScalar(1, t);
    Nd4j.exec(new PowPairwise(powBase, powExponent, powResult));
    return new float[] {powResult.getFloat(0L), powResult.getFloat(1L)};
  }

  /**
   * Whether all are FLOAT, of one length, and {@link FloatBuffers#contiguous stored contiguously}:
   * DL4J pairs the elements of the gradient and the state in {@code c} order (it reshapes the
   * gradient to the state's shape), so the pairs are the elements at equal distance from each
   * array's first.
   */
  private static boolean contiguousFloats(INDArray gradient, INDArray m, INDArray v) {
    long n = gradient.length();
    return n > 0 && m.length() == n && v.length() == n && FloatBuffers.contiguous(gradient)
        && FloatBuffers.contiguous(m) && FloatBuffers.contiguous(v);
  }

  /** The element-wise step over index ranges of the three buffers. */
  private static final class Step {
    private final FloatBuffer gradient;
    private final FloatBuffer m;
    private final FloatBuffer v;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float alpha;

    Step(FloatBuffer gradient, FloatBuffer m, FloatBuffer v, float beta1, float beta2, float epsilon,
        float alpha) {
      this.gradient = gradient;
      this.m = m;
      this.v = v;
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.epsilon = epsilon;
      this.alpha = alpha;
    }

    /** Elements [from, to): copied into scratch blocks, stepped, written back. */
    void run(int from, int to) {
      int block = Math.min(BLOCK, to - from);
      float[] g = new float[block];
      float[] mb = new float[block];
      float[] vb = new float[block];
      for (int i = from; i < to; i += block) {
        int len = Math.min(block, to - i);
        gradient.get(i, g, 0, len);
        m.get(i, mb, 0, len);
        v.get(i, vb, 0, len);
        step(g, mb, vb, len, beta1, beta2, epsilon, alpha);
        gradient.put(i, g, 0, len);
        m.put(i, mb, 0, len);
        v.put(i, vb, 0, len);
      }
    }
  }

  /**
   * Adam on {@code len} elements, in libnd4j's order of operations ({@code 1 − beta} in float).
   * Package-private for tests.
   */
  static void step(float[] g, float[] m, float[] v, int len, float beta1, float beta2, float epsilon,
      float alpha) {
    float oneMinusBeta1 = 1f - beta1;
    float oneMinusBeta2 = 1f - beta2;
    for (int j = 0; j < len; j++) {
      float gj = g[j];
      float mj = beta1 * m[j] + gj * oneMinusBeta1;
      float vj = beta2 * v[j] + gj * gj * oneMinusBeta2;
      m[j] = mj;
      v[j] = vj;
      g[j] = (mj * alpha) / ((float) Math.sqrt(vj) + epsilon);
    }
  }

  /** Halves [from, to) down to ranges of at most {@code grain} elements; the caller takes part. */
  private static final class Range extends RecursiveAction {
    private final Step step;
    private final int from;
    private final int to;
    private final int grain;

    Range(Step step, int from, int to, int grain) {
      this.step = step;
      this.from = from;
      this.to = to;
      this.grain = grain;
    }

    @Override
    protected void compute() {
      if (to - from <= grain) {
        step.run(from, to);
        return;
      }
      // split on a block boundary so that only the last range ends with a partial block
      int mid = from + ((to - from) / 2 + BLOCK - 1) / BLOCK * BLOCK;
      if (mid >= to) {
        step.run(from, to);
        return;
      }
      Range right = new Range(step, mid, to, grain);
      right.fork();
      new Range(step, from, mid, grain).compute();
      if (right.tryUnfork()) {
        right.compute();
      } else {
        right.join();
      }
    }
  }

  /**
   * Makes every updater block of {@code updater} that runs DL4J's {@link AdamUpdater} (exactly
   * that class; Nadam, AMSGrad, AdaMax and the other updaters are left alone) run a {@link
   * JavaAdamUpdater} instead, on the same configuration object and the same state arrays, so the
   * updater's state view array and what is saved of it do not change. Blocks that already run one
   * are left as they are, so the call is cheap to repeat before every training step (DL4J builds
   * a new updater, with DL4J's Adam, when e.g. a learning rate is changed through {@code
   * NetworkUtils}). With the system property {@value #PROPERTY} set to {@code false}, puts DL4J's
   * updater back into the blocks where one of these is installed instead.
   *
   * @param updater a network's updater ({@code ComputationGraph.getUpdater()}, {@code
   *     MultiLayerNetwork.getUpdater()}); null, or one that is not a {@link BaseMultiLayerUpdater},
   *     is left alone
   * @return how many blocks run a {@link JavaAdamUpdater} after the call
   */
  public static int install(Updater updater) {
    if (!(updater instanceof BaseMultiLayerUpdater)) {
      return 0;
    }
    boolean enabled = enabled();
    int installed = 0;
    for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) updater).getUpdaterBlocks()) {
      GradientUpdater<?> current = block.getGradientUpdater(); // instantiates DL4J's lazily
      if (current instanceof JavaAdamUpdater) {
        if (enabled) {
          installed++;
        } else {
          block.setGradientUpdater(((JavaAdamUpdater) current).dl4j);
        }
      } else if (enabled && current != null && current.getClass() == AdamUpdater.class) {
        block.setGradientUpdater(new JavaAdamUpdater((AdamUpdater) current));
        installed++;
      }
    }
    return installed;
  }

  /** @return false when the system property {@value #PROPERTY} is {@code false} */
  public static boolean enabled() {
    return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim());
  }

  @Override
  public String toString() {
    return "JavaAdamUpdater(" + dl4j.getConfig() + ")";
  }
}
