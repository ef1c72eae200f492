package io.github.ssl4j.core.text;

import io.github.ssl4j.core.data.ExampleSource;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An {@link ExampleSource} of fixed-length token windows (see {@link TokenWindows}), held in memory
 * as ids. Batches are arrays of token ids, shape [n, length]; the padding is where the id equals
 * {@link Vocabulary#PAD} ({@link TokenWindows#paddingMask}). Immutable and thread-safe.
 *
 * <pre>{@code
 * ExampleSource train = TokenWindowSource.of(TokenWindows.of(encodedTrainMails, 64));
 * INDArray batch = train.get(new long[] {0, 1, 2});   // [3, 64] FLOAT ids
 * }</pre>
 */
public final class TokenWindowSource implements ExampleSource {
  private final int[] flat;
  private final int count;
  private final int length;
  private final DataType type;

  private TokenWindowSource(int[][] windows, DataType type) {
    Objects.requireNonNull(windows, "windows");
    Objects.requireNonNull(type, "type");
    if (windows.length == 0) {
      throw new IllegalArgumentException(
          "no token windows; the corpus has no tokens (check the reader and the tokenizer)");
    }
    if (!type.isNumerical()) {
      throw new IllegalArgumentException("type must be numeric, got " + type + "; use FLOAT or INT32");
    }
    this.count = windows.length;
    this.length = windows[0].length;
    this.type = type;
    this.flat = new int[count * length];
    for (int i = 0; i < count; i++) {
      if (windows[i].length != length) {
        throw new IllegalArgumentException(
            "window " + i + " has " + windows[i].length + " ids but window 0 has " + length
                + "; all windows must have the same length");
      }
      System.arraycopy(windows[i], 0, flat, i * length, length);
    }
  }

  /**
   * A source returning FLOAT ids (what DL4J's embedding layers take; exact for ids below 2^24).
   *
   * @param windows equal-length windows of token ids; copied
   */
  public static TokenWindowSource of(int[][] windows) {
    return new TokenWindowSource(windows, DataType.FLOAT);
  }

  /** A source returning ids in {@code type} (e.g. INT32). */
  public static TokenWindowSource of(int[][] windows, DataType type) {
    return new TokenWindowSource(windows, type);
  }

  @Override
  public long size() {
    return count;
  }

  /** Window length, [CLS] included. */
  public int length() {
    return length;
  }

  /** A copy of window {@code i}'s ids. */
  public int[] window(int i) {
    Objects.checkIndex(i, count);
    return Arrays.copyOfRange(flat, i * length, (i + 1) * length);
  }

  /**
   * @return ids of shape [indices.length, length], of this source's type
   */
  @Override
  public INDArray get(long[] indices) {
    Objects.requireNonNull(indices, "indices");
    int[] out = new int[indices.length * length];
    for (int k = 0; k < indices.length; k++) {
      long i = indices[k];
      if (i < 0 || i >= count) {
        throw new IndexOutOfBoundsException("window index " + i + " outside [0, " + count + ")");
      }
      System.arraycopy(flat, (int) i * length, out, k * length, length);
    }
    INDArray ids = Nd4j.createFromArray(out).reshape(indices.length, length);
    return type == DataType.INT32 ? ids : ids.castTo(type);
  }
}
