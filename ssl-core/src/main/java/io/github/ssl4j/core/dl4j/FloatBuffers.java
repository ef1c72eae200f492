package io.github.ssl4j.core.dl4j;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Direct access to the elements of float arrays stored contiguously, for element-wise loops in Java. */
public final class FloatBuffers {
  private FloatBuffers() {}

  /**
   * A FLOAT array whose elements lie one after another in {@code c} order: a vector with unit
   * stride, or a {@code c}-ordered array without gaps (views with an offset included).
   */
  public static boolean contiguous(INDArray a) {
    if (a == null || a.dataType() != DataType.FLOAT || a.isEmpty() || a.offset() + a.length() > Integer.MAX_VALUE) {
      return false;
    }
    if (a.length() == 1) {
      return true;
    }
    return a.elementWiseStride() == 1 && (a.ordering() == 'c' || a.isVector());
  }

  /**
   * The array's buffer, positioned at its first element (element {@code i} in {@code c} order is
   * at index {@code i}); reads and writes go to the array.
   *
   * @param a a {@link #contiguous} array
   * @throws IllegalArgumentException if it is not
   */
  public static FloatBuffer of(INDArray a) {
    if (!contiguous(a)) {
      throw new IllegalArgumentException("need a contiguous float array, got "
          + (a == null ? "null" : a.dataType() + " " + a.shapeInfoToString().replace('\n', ' ')));
    }
    return a.data().asNioFloat().position((int) a.offset()).slice();
  }
}
