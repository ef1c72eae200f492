package io.github.ssl4j.core.data;

import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An {@link ExampleSource} over an in-memory array whose first dimension indexes examples.
 *
 * <p>Images kept as 8-bit pixels take a quarter of the memory of floats: {@link #eightBit} scales
 * each batch to [0, 1] as it is picked.
 */
public final class ArraySource implements ExampleSource {
  private final INDArray data;
  /** [n, values per example], computed once: batches are picked from it without copying data. */
  private final INDArray flat;
  /** Whether batches are scaled from 8-bit pixels to FLOAT in [0, 1]. */
  private final boolean eightBit;

  /**
   * @param data shape [examples, ...]; not copied, must not be modified while in use
   */
  public ArraySource(INDArray data) {
    this(data, false);
  }

  /**
   * A source over 8-bit pixels whose batches are FLOAT in [0, 1]: pixel {@code k} becomes {@code
   * k / 255f}, the same value as scaling the whole array first (e.g. {@link IdxReader#readImages}).
   *
   * @param pixels shape [examples, ...], UBYTE (e.g. {@link IdxReader#readPixels}); not copied,
   *     must not be modified while in use
   * @throws IllegalArgumentException if {@code pixels} is not UBYTE or has rank &lt; 2
   */
  public static ArraySource eightBit(INDArray pixels) {
    Objects.requireNonNull(pixels, "pixels");
    if (pixels.dataType() != DataType.UBYTE) {
      throw new IllegalArgumentException("ArraySource.eightBit needs 8-bit pixels (UBYTE), got "
          + pixels.dataType() + "; use new ArraySource(data) for data already scaled, or read the"
          + " pixels with IdxReader.readPixels / Nd4j.createTypedBuffer(bytes, DataType.UBYTE)");
    }
    return new ArraySource(pixels, true);
  }

  private ArraySource(INDArray data, boolean eightBit) {
    Objects.requireNonNull(data, "data");
    if (data.rank() < 2) {
      throw new IllegalArgumentException(
          "ArraySource needs an array of rank >= 2 shaped [examples, ...], got shape "
              + java.util.Arrays.toString(data.shape())
              + "; reshape a single vector with data.reshape(1, n) or stack examples along dimension 0");
    }
    this.data = data;
    this.flat = Rows.flat(data);
    this.eightBit = eightBit;
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
    INDArray rows = Rows.pull(flat, data.shape(), toInt(indices));
    return eightBit ? rows.castTo(DataType.FLOAT).divi(255f) : rows;
  }


  private static int[] toInt(long[] indices) {
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = Math.toIntExact(indices[i]);
    }
    return out;
  }

  /** The backing array (UBYTE pixels for an {@link #eightBit} source). */
  public INDArray data() {
    return data;
  }
}
