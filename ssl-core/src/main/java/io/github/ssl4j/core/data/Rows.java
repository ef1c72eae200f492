package io.github.ssl4j.core.data;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Picking examples (the first dimension) out of arrays of any rank.
 *
 * <p>ND4J's {@code pullRows(source, dim, idx)} takes the dimension along which each pulled row
 * <em>lies</em> (1 for an [n, d] matrix), and works on matrices only, so arrays are viewed as
 * [n, values per example] first.
 */
public final class Rows {
  private Rows() {}

  /**
   * {@code a} as a c-ordered [n, rest] matrix (a view when possible); compute once when picking
   * many batches from the same array.
   */
  public static INDArray flat(INDArray a) {
    Objects.requireNonNull(a, "a");
    long n = a.size(0);
    if (a.rank() == 2 && a.ordering() == 'c') {
      return a;
    }
    // reshape returns a view of c-contiguous data and copies only when it must
    return a.reshape('c', n, a.length() / n);
  }

  /**
   * The examples {@code idx} of a flattened array.
   *
   * @param flat [n, rest] from {@link #flat}
   * @param shape shape of the original array [n, ...]
   * @return new array of shape [idx.length, ...]
   */
  public static INDArray pull(INDArray flat, long[] shape, int[] idx) {
    Objects.requireNonNull(flat, "flat");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(idx, "idx");
    long[] s = shape.clone();
    s[0] = idx.length;
    return Nd4j.pullRows(flat, 1, idx).reshape('c', s);
  }

  /** The examples {@code idx} of {@code a} (shape [n, ...]) as a new array [idx.length, ...]. */
  public static INDArray pull(INDArray a, int[] idx) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(idx, "idx");
    return pull(flat(a), a.shape(), idx);
  }
}
