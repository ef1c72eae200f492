package io.github.ssl4j.core.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Row helpers shared by the evaluators (package-private). */
final class Features {
  private Features() {}

  /**
   * Flattens every example to a vector.
   *
   * @param x shape [n, ...]
   * @return shape [n, d] with d the product of the trailing dimensions (a view when possible)
   */
  static INDArray flatten(INDArray x, String what) {
    if (x.rank() < 2) {
      throw new IllegalArgumentException(
          what + " must have shape [n, ...] with rank >= 2, got shape "
              + Arrays.toString(x.shape()) + "; reshape a single example to [1, d]");
    }
    if (x.rank() == 2) {
      return x;
    }
    long n = x.size(0);
    return x.reshape('c', n, x.length() / n);
  }

  /** Floating-point type to compute in: the array's own if floating, FLOAT otherwise. */
  static DataType computeType(INDArray x) {
    DataType t = x.dataType();
    return t == DataType.DOUBLE || t == DataType.FLOAT ? t : DataType.FLOAT;
  }
}
