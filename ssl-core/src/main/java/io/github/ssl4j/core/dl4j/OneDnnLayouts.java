package io.github.ssl4j.core.dl4j;

import java.util.IdentityHashMap;
import java.util.Map;
import org.bytedeco.dnnl.memory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which activations and activation gradients of the current training step hold their data in a
 * oneDNN layout other than plain NCHW (e.g. channels blocked by 16), so that a chain of
 * convolution, batch norm, ReLU and max pooling layers passes them on without a reorder per layer.
 *
 * <p>Such an array keeps its NCHW shape and holds exactly as many values (layouts that would pad
 * are not used), but the values are in the layout's order: only the layers that produced or
 * consume it may read it. A layer produces one only during a training step ({@link #during}), and
 * only when {@link LayerHelpers#install} found that its one consumer is a layer that reads it
 * (see there); every other array is plain. Producers {@link #mark} an array, consumers ask {@link
 * #of}; arrays are told apart by identity. Per thread, as DL4J layers are run by one thread.
 */
public final class OneDnnLayouts {
  private static final ThreadLocal<OneDnnLayouts> CURRENT = new ThreadLocal<>();

  /** Every array marked in this step (by identity), kept until the step ends. */
  private final Map<INDArray, memory.desc> layouts = new IdentityHashMap<>();

  private OneDnnLayouts() {}

  /**
   * A runtime layer that can read arrays in oneDNN layouts and leave its output in one;
   * {@link LayerHelpers#install} links such layers.
   */
  public interface Layer {
    /** @return whether every path of this layer reads an input in a oneDNN layout correctly */
    boolean readsOneDnnLayouts();

    /**
     * Called by {@link LayerHelpers#install}: whether this layer's output goes only to a layer
     * that {@link #readsOneDnnLayouts() reads oneDNN layouts} (and so may stay in one during a
     * training step).
     */
    void oneDnnOutput(boolean allowed);
  }

  /** @return whether {@code a} and {@code b} are in the same layout (both plain, or the same oneDNN layout) */
  public static boolean sameLayouts(INDArray a, INDArray b) {
    return OneDnn.sameLayout(of(a), of(b));
  }

  /**
   * A batch-norm helper that can apply ReLU to its output in the same pass (and mask the gradient
   * in its backward pass), for a batch norm + ReLU layer.
   */
  public interface ReluFusing {
    /** Asks the helper to apply ReLU to its output where it can (default: no). */
    void fuseRelu(boolean fuse);

    /** @return whether the last forward pass applied ReLU (then its backward pass masks the gradient) */
    boolean appliedRelu();
  }

  /**
   * Marks {@code derived} with the layout of {@code source}, if it has one: for an element-wise
   * result of an array in a oneDNN layout (e.g. a ReLU mask times a gradient).
   *
   * @return {@code derived}
   */
  public static INDArray sameLayout(INDArray source, INDArray derived) {
    memory.desc layout = of(source);
    if (layout != null) {
      mark(derived, layout);
    }
    return derived;
  }

  /**
   * Runs one training step in which layers may hand each other arrays in oneDNN's layouts; every
   * array the step leaves behind (outputs, gradients) is plain.
   *
   * @param step the step, e.g. {@code () -> graph.fit(batch)}
   */
  public static void during(Runnable step) {
    java.util.Objects.requireNonNull(step, "step");
    if (CURRENT.get() != null) {
      step.run();
      return;
    }
    CURRENT.set(new OneDnnLayouts());
    try {
      step.run();
    } finally {
      CURRENT.remove();
    }
  }

  /** @return whether a training step that allows oneDNN layouts is running on this thread */
  static boolean allowed() {
    return CURRENT.get() != null;
  }

  /** Records that {@code array} holds its values in {@code layout}. */
  static void mark(INDArray array, memory.desc layout) {
    OneDnnLayouts l = CURRENT.get();
    if (l == null) {
      throw new IllegalStateException("an array in a oneDNN layout outside a training step");
    }
    l.layouts.put(array, layout);
  }

  /** @return the layout {@code array} was {@link #mark marked} with, or null for plain */
  static memory.desc of(INDArray array) {
    OneDnnLayouts l = CURRENT.get();
    return l == null || array == null ? null : l.layouts.get(array);
  }
}
