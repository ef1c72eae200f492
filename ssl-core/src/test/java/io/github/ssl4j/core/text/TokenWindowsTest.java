package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TokenWindowsTest {

  @Test
  void shortDocumentIsOnePaddedWindow() {
    int[][] w = TokenWindows.windows(new int[] {7, 8, 9}, 6);
    assertEquals(1, w.length);
    assertArrayEquals(new int[] {2, 7, 8, 9, 0, 0}, w[0]);
  }

  @Test
  void nonOverlappingWindowsOfLengthMinusOneTokens() {
    int[] ids = IntStream.range(10, 21).toArray(); // 11 tokens, 5 per window
    int[][] w = TokenWindows.windows(ids, 6);
    assertEquals(3, w.length);
    assertArrayEquals(new int[] {2, 10, 11, 12, 13, 14}, w[0]);
    assertArrayEquals(new int[] {2, 15, 16, 17, 18, 19}, w[1]);
    assertArrayEquals(new int[] {2, 20, 0, 0, 0, 0}, w[2]);
    // an exact multiple gets no all-padding tail window (Python range(0, 10, 5))
    assertEquals(2, TokenWindows.windows(IntStream.range(10, 20).toArray(), 6).length);
  }

  @Test
  void w3WindowCountsMatchThePeer() {
    // peer: len(windows(list(range(n)))) for SEQ = 64
    assertEquals(1, TokenWindows.windows(new int[63], 64).length);
    assertEquals(2, TokenWindows.windows(new int[64], 64).length);
    assertEquals(2, TokenWindows.windows(new int[126], 64).length);
    assertEquals(3, TokenWindows.windows(new int[127], 64).length);
    assertEquals(64, TokenWindows.windows(new int[127], 64)[2].length);
  }

  @Test
  void emptyDocuments() {
    assertArrayEquals(new int[] {2, 0, 0}, TokenWindows.windows(new int[0], 3)[0]);
    List<int[]> docs = List.of(new int[] {5, 6, 7}, new int[0], new int[] {9});
    int[][] all = TokenWindows.of(docs, 3);
    assertEquals(3, all.length); // [5,6] [7] [9]; the empty mail has no window
    assertArrayEquals(new int[] {2, 7, 0}, all[1]);
    int[][] first = TokenWindows.firstWindows(docs, 3);
    assertEquals(3, first.length);
    assertArrayEquals(new int[] {2, 5, 6}, first[0]);
    assertArrayEquals(new int[] {2, 0, 0}, first[1]);
    assertArrayEquals(new int[] {2, 9, 0}, first[2]);
  }

  @Test
  void sourceShapesTypesAndPaddingMask() {
    int[][] windows = TokenWindows.of(List.of(IntStream.range(5, 75).toArray()), 64); // 70 tokens
    TokenWindowSource src = TokenWindowSource.of(windows);
    assertEquals(2, src.size());
    assertEquals(64, src.length());
    INDArray batch = src.get(new long[] {1, 0, 1});
    assertArrayEquals(new long[] {3, 64}, batch.shape());
    assertEquals(DataType.FLOAT, batch.dataType());
    assertEquals(2f, batch.getFloat(0, 0));
    assertEquals(68f, batch.getFloat(0, 1)); // second window starts at token 63 (id 5 + 63)
    assertEquals(5f, batch.getFloat(1, 1));
    INDArray keep = TokenWindows.paddingMask(batch);
    assertEquals(DataType.FLOAT, keep.dataType());
    assertEquals(8.0, keep.getRow(0).sumNumber().doubleValue()); // [CLS] + 7 tokens
    assertEquals(64.0, keep.getRow(1).sumNumber().doubleValue());
    assertEquals(DataType.INT32, TokenWindowSource.of(windows, DataType.INT32).get(new long[] {0}).dataType());
    assertArrayEquals(windows[1], src.window(1));
    assertThrows(IndexOutOfBoundsException.class, () -> src.get(new long[] {2}));
    assertArrayEquals(
        new long[] {2, 64}, TokenWindows.toArray(windows, DataType.INT32).shape());
  }

  @Test
  void validation() {
    assertThrows(IllegalArgumentException.class, () -> TokenWindows.windows(new int[] {5}, 1));
    assertThrows(IllegalArgumentException.class, () -> TokenWindowSource.of(new int[0][]));
    assertThrows(
        IllegalArgumentException.class, () -> TokenWindowSource.of(new int[][] {{2, 5}, {2, 5, 6}}));
  }
}
