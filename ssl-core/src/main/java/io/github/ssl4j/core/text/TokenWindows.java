package io.github.ssl4j.core.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cuts encoded documents into fixed-length token windows: each window is
 * {@link Vocabulary#CLS} followed by up to {@code length - 1} consecutive tokens of one document;
 * windows do not overlap and do not cross documents, and the last window of a document is padded
 * with {@link Vocabulary#PAD} at the end (e.g. length 64 = [CLS] + 63 tokens).
 *
 * <pre>{@code
 * int[][] train = TokenWindows.of(encodedTrainMails, 64);   // all windows, empty mails skipped
 * INDArray keep = TokenWindows.paddingMask(batch);          // 1 = real token, 0 = [PAD]
 * }</pre>
 */
public final class TokenWindows {
  /** The default window length: [CLS] + 63 tokens. */
  public static final int DEFAULT_LENGTH = 64;

  private TokenWindows() {}

  /**
   * The windows of one document ({@code ceil(ids.length / (length - 1))} of them; one window
   * {@code [CLS, PAD, ...]} for an empty document).
   *
   * @param ids the document's token ids
   * @param length window length including [CLS], &gt;= 2
   * @return windows of exactly {@code length} ids each
   */
  public static int[][] windows(int[] ids, int length) {
    Objects.requireNonNull(ids, "ids");
    checkLength(length);
    int step = length - 1;
    int count = Math.max(1, (ids.length + step - 1) / step);
    int[][] out = new int[count][];
    for (int w = 0; w < count; w++) {
      int[] win = new int[length]; // zero-filled = PAD
      win[0] = Vocabulary.CLS;
      int from = w * step;
      int n = Math.min(step, ids.length - from);
      if (n > 0) {
        System.arraycopy(ids, from, win, 1, n);
      }
      out[w] = win;
    }
    return out;
  }

  /**
   * All windows of all documents, in order; documents without tokens are skipped, so no
   * window is all padding.
   *
   * @return shape [windows][length]
   */
  public static int[][] of(List<int[]> documents, int length) {
    Objects.requireNonNull(documents, "documents");
    checkLength(length);
    List<int[]> out = new ArrayList<>();
    for (int[] ids : documents) {
      if (ids.length > 0) {
        out.addAll(Arrays.asList(windows(ids, length)));
      }
    }
    return out.toArray(new int[0][]);
  }

  /**
   * The first window of every document, empty ones included ({@code [CLS, PAD, ...]}), one per
   * document in order: e.g. the input of a per-document classification.
   *
   * @return shape [documents][length]
   */
  public static int[][] firstWindows(List<int[]> documents, int length) {
    Objects.requireNonNull(documents, "documents");
    checkLength(length);
    int[][] out = new int[documents.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = windows(Arrays.copyOf(documents.get(i), Math.min(documents.get(i).length, length - 1)), length)[0];
    }
    return out;
  }

  /**
   * Padding mask of a batch of windows, in DL4J's mask convention.
   *
   * @param ids token ids, shape [batch, length], any numeric type
   * @return FLOAT, shape [batch, length]: 1 where the id is not {@link Vocabulary#PAD}, 0 at padding
   */
  public static INDArray paddingMask(INDArray ids) {
    Objects.requireNonNull(ids, "ids");
    if (ids.rank() != 2) {
      throw new IllegalArgumentException(
          "paddingMask needs token ids of shape [batch, length], got shape " + Arrays.toString(ids.shape()));
    }
    return ids.neq(Vocabulary.PAD).castTo(DataType.FLOAT);
  }

  /**
   * Stacks windows into an array.
   *
   * @return shape [windows.length, length] of the given type
   */
  public static INDArray toArray(int[][] windows, DataType type) {
    Objects.requireNonNull(windows, "windows");
    if (windows.length == 0) {
      throw new IllegalArgumentException("no windows to stack; the corpus has no tokens");
    }
    int length = windows[0].length;
    int[] flat = new int[windows.length * length];
    for (int i = 0; i < windows.length; i++) {
      if (windows[i].length != length) {
        throw new IllegalArgumentException(
            "window " + i + " has " + windows[i].length + " ids but window 0 has " + length
                + "; all windows must have the same length");
      }
      System.arraycopy(windows[i], 0, flat, i * length, length);
    }
    return Nd4j.createFromArray(flat).reshape(windows.length, length).castTo(type);
  }

  private static void checkLength(int length) {
    if (length < 2) {
      throw new IllegalArgumentException(
          "window length must be >= 2 ([CLS] + at least one token), got " + length + "; e.g. " + DEFAULT_LENGTH);
    }
  }
}
