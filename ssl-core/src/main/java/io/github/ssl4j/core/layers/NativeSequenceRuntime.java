package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Base of the native runtime layers of ssl4j's sequence layers (attention, LayerNorm,
 * feed-forward): a hand-written forward and backward pass on the parameter and gradient views of
 * DL4J's SameDiff layer, whose parameter handling, masks and serialisation stay in force. DL4J's
 * own SameDiff runtime runs the layer's graph forward again inside every backward pass and
 * allocates a fresh array per op.
 *
 * <p>The training forward pass keeps what the backward pass needs (allocated as {@link
 * ArrayType#ACTIVATIONS}, which DL4J keeps until backpropagation ends); a backward pass without a
 * training forward pass on the same input runs one first. Parameter gradients go to the gradient
 * views, in the parameter table's order.
 */
abstract class NativeSequenceRuntime extends CorrectedSameDiffLayer.HalvedGradientLayer {
  private INDArray forwardInput;

  NativeSequenceRuntime(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public final INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    ((SameDiffLayer) layerConf()).validateInput(input);
    forwardInput = null;
    clearKept();
    INDArray out = forward(training ? ArrayType.ACTIVATIONS : ArrayType.FF_WORKING_MEM, workspaceMgr);
    if (training) {
      forwardInput = input;
    } else {
      clearKept();
    }
    return out;
  }

  @Override
  public final Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    if (forwardInput != input) { // none kept, or kept for another input
      activate(true, workspaceMgr);
    }
    INDArray epsilonBelow = backward(epsilon, workspaceMgr);
    Gradient gradient = new DefaultGradient();
    for (String key : paramTable.keySet()) {
      gradient.gradientForVariable().put(key, gradTable.get(key));
    }
    forwardInput = null;
    clearKept();
    return new Pair<>(gradient, epsilonBelow);
  }

  /**
   * Column sums of a [rows, columns] matrix into {@code target} [1, columns] (a bias gradient from
   * per-position gradients), as one matrix product with a row of ones: ND4J's reduction along
   * dimension 0 of a row-major matrix reads it with a stride.
   */
  static void columnSumsInto(INDArray matrix, INDArray target) {
    INDArray ones = Nd4j.ones(matrix.dataType(), 1, matrix.size(0));
    INDArray sums = Nd4j.createUninitialized(matrix.dataType(), 1, matrix.size(1));
    Nd4j.gemm(ones, matrix, sums, false, false, 1.0, 0.0);
    target.assign(sums.reshape(target.shape()));
  }

  /**
   * The forward pass on {@link #input}; keeps what {@link #backward} needs in fields, allocating
   * those arrays as {@code kept}.
   *
   * @return the output [batch, d, T], allocated as {@link ArrayType#ACTIVATIONS}
   */
  protected abstract INDArray forward(ArrayType kept, LayerWorkspaceMgr workspaceMgr);

  /**
   * The backward pass after {@link #forward} on the same input: writes the parameter gradients
   * into {@link #gradTable}'s views.
   *
   * @return the gradient with respect to the input, allocated as {@link ArrayType#ACTIVATION_GRAD}
   */
  protected abstract INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr);

  /** Drops the arrays kept by {@link #forward}. */
  protected abstract void clearKept();

  @Override
  public void clear() {
    super.clear();
    forwardInput = null;
    clearKept();
  }

  /** A copy of [batch, d, T] as rows [batch·T, d] (one row per position), allocated as {@code type}. */
  INDArray rows(INDArray sequence, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
    long batch = sequence.size(0);
    long d = sequence.size(1);
    long steps = sequence.size(2);
    INDArray out = workspaceMgr.createUninitialized(type, dataType, new long[] {batch, steps, d}, 'c');
    out.assign(sequence.permute(0, 2, 1));
    return out.reshape('c', batch * steps, d);
  }

  /**
   * Rows [batch·T, d] back to a sequence [batch, d, T] with the batch and length of {@link
   * #input}, allocated as {@code type}.
   */
  INDArray sequence(INDArray rows, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
    long batch = input.size(0);
    long steps = input.size(2);
    long d = rows.size(1);
    INDArray out = workspaceMgr.createUninitialized(type, dataType, new long[] {batch, d, steps}, 'c');
    out.assign(rows.reshape('c', batch, steps, d).permute(0, 2, 1));
    return out;
  }
}
