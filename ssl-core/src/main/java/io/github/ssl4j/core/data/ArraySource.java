package io.github.ssl4j.core.data;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An {@link ExampleSource} over an in-memory array whose first dimension indexes examples. */
public final class ArraySource implements ExampleSource {
  private final INDArray data;
  /** [n, values per example], computed once: batches are picked from it without copying data. */
  private final INDArray flat;

  /**
   * @param data shape [examples, ...]; not copied, must not be modified while in use
   */
  public ArraySource(INDArray data) {
    Objects.requireNonNull(data, "data");
    if (data.rank() < 2) {
      throw new IllegalArgumentException(
          "ArraySource needs an array of rank >= 2 shaped [examples, ...], got shape "
              + java.util.Arrays.toString(data.shape())
              + "; reshape a single vector with data.reshape(1, n) or stack examples along dimension 0");
    }
    this.data = data;
    this.flat = Rows.flat(data);
  }

  @Override
  public long size() {
    return data.size(0);
  }

  @Override
  public INDArray get(long[] indices) {
    for (long i : indices) {
      if (i < 0 || i >= data.size(0)) {
        throw new IndexOutOfBoundsException(
            "example index " + i + " outside [0, " + data.size(0) + ")");
      }
    }
    return Rows.pull(flat, data.shape(), toInt(indices));
  }


  private static int[] toInt(long[] indices) {
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = Math.toIntExact(indices[i]);
    }
    return out;
  }

  /** The backing array. */
  public INDArray data() {
    return data;
  }
}
