package io.github.ssl4j.core.layers;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer's pre-activation from its training forward pass, kept for the backward pass that
 * follows on the same input, so that the backward pass need not compute it again. One per
 * runtime layer; not thread-safe, as DL4J layers are not.
 */
final class KeptPreActivation {
  private INDArray input;
  private INDArray preActivation;

  /**
   * Keeps {@code z} as the pre-activation for {@code input}: the array itself for the identity
   * activation, otherwise a copy in the activations workspace (DL4J applies activations in place,
   * right after this).
   */
  void keep(INDArray input, INDArray z, IActivation activation, LayerWorkspaceMgr workspaceMgr) {
    this.preActivation = activation instanceof ActivationIdentity
        ? z : workspaceMgr.dup(ArrayType.ACTIVATIONS, z);
    this.input = input;
  }

  /**
   * The kept pre-activation if it was kept for this very {@code input} array, else null; either
   * way nothing stays kept.
   */
  INDArray take(INDArray input) {
    INDArray kept = this.input != null && this.input == input ? preActivation : null;
    clear();
    return kept;
  }

  /** @return whether a pre-activation is kept for this very {@code input} array (nothing changes) */
  boolean holds(INDArray input) {
    return this.input != null && this.input == input;
  }

  /** Drops what is kept. */
  void clear() {
    input = null;
    preActivation = null;
  }
}
