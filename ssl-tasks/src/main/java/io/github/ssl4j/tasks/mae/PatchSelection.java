package io.github.ssl4j.tasks.mae;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one-hot selection matrices behind {@link VisiblePatchGather} and {@link PatchScatter}: for
 * patch indices {@code [batch, K]}, {@code S[i, k, n] = 1} where {@code indices[i, k] = n}. A gather
 * is {@code x · Sᵀ} and its backward pass a scatter {@code dy · S}, both batched native matrix
 * products.
 */
final class PatchSelection {
  private PatchSelection() {}

  /**
   * @param indices patch indices {@code [batch, K]}, each row distinct integers in [0, patches)
   * @param patches number of patches N
   * @param owner the vertex, for messages
   * @return S, shape {@code [batch, K, patches]}, in {@code dataType}
   * @throws IllegalArgumentException if an index is not an integer in range or repeats in a row
   */
  static INDArray oneHot(INDArray indices, long patches, DataType dataType, String owner) {
    if (indices.rank() != 2) {
      throw new IllegalArgumentException(owner + " expects patch indices [batch, K] but got shape "
          + Arrays.toString(indices.shape()) + "; pass the visible patch indices from MaskedAutoencoderTask.prepare");
    }
    int batch = Math.toIntExact(indices.size(0));
    int k = Math.toIntExact(indices.size(1));
    int n = Math.toIntExact(patches);
    double[] flat = indices.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] s = new double[batch * k * n];
    for (int i = 0; i < batch; i++) {
      boolean[] seen = new boolean[n];
      for (int j = 0; j < k; j++) {
        double v = flat[i * k + j];
        if (!(v >= 0 && v < n) || v != Math.rint(v) || seen[(int) v]) {
          throw new IllegalArgumentException(owner + ": patch index " + v + " at [" + i + ", " + j
              + "] is not a distinct integer in [0, " + n + ") in row " + Arrays.toString(
                  Arrays.copyOfRange(flat, i * k, i * k + k))
              + "; each row must list K different patches of the " + n);
        }
        seen[(int) v] = true;
        s[(i * k + j) * n + (int) v] = 1;
      }
    }
    return Nd4j.create(s, new long[] {batch, k, n}, 'c').castTo(dataType);
  }

  /** {@code a · bᵀ} or {@code a · b} batched over the first axis, into a new c-order array. */
  static INDArray matmul(INDArray a, INDArray b, boolean transposeB, INDArray out) {
    return Nd4j.matmul(a, b, out, false, transposeB, false);
  }
}
