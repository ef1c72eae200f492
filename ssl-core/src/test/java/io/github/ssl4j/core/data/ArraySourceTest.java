package io.github.ssl4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ArraySourceTest {
  @Test
  void getReturnsTheRequestedExamplesInOrder() {
    INDArray m = Nd4j.arange(0, 40).castTo(DataType.DOUBLE).reshape(10, 4);
    INDArray got = new ArraySource(m).get(new long[] {7, 2, 7});
    assertArrayEquals(new long[] {3, 4}, got.shape());
    assertEquals(m.getRow(7), got.getRow(0));
    assertEquals(m.getRow(2), got.getRow(1));
    assertEquals(m.getRow(7), got.getRow(2));
  }

  @Test
  void getWorksForImages() {
    INDArray img = Nd4j.arange(0, 5 * 2 * 3 * 3).castTo(DataType.FLOAT).reshape(5, 2, 3, 3);
    INDArray got = new ArraySource(img).get(new long[] {4, 0});
    assertArrayEquals(new long[] {2, 2, 3, 3}, got.shape());
    assertEquals(img.get(org.nd4j.linalg.indexing.NDArrayIndex.point(4)), got.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)));
    assertEquals(img.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)), got.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)));
  }

  /**
   * Every 8-bit value 0..255, in images of 16 pixels: a batch from the 8-bit source equals, bit for
   * bit, the same rows of the images scaled up front by IdxReader.
   */
  @Test
  void eightBitSourceGivesTheScaledFloatsOfTheWholeArray() {
    byte[] bytes = new byte[256 * 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 7 + i / 256); // all 256 values, in two orders
    }
    IdxReader.Idx idx = new IdxReader.Idx(new int[] {32, 4, 4}, bytes);
    INDArray pixels = IdxReader.pixels(idx, "test");
    assertEquals(DataType.UBYTE, pixels.dataType());
    assertArrayEquals(new long[] {32, 1, 4, 4}, pixels.shape());
    INDArray scaled = IdxReader.images(idx, "test");
    long[] pick = {31, 0, 5, 5, 17};
    INDArray got = ArraySource.eightBit(pixels).get(pick);
    assertEquals(DataType.FLOAT, got.dataType());
    assertArrayEquals(new long[] {5, 1, 4, 4}, got.shape());
    float[] want = new ArraySource(scaled).get(pick).data().asFloat();
    float[] have = got.data().asFloat();
    for (int i = 0; i < want.length; i++) {
      assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(have[i]), "value " + i + ": " + want[i] + " vs " + have[i]);
    }
    INDArray all = ArraySource.eightBit(pixels).get(java.util.stream.LongStream.range(0, 32).toArray());
    assertEquals(1f, all.maxNumber().floatValue()); // pixel 255, read unsigned
    assertEquals(0f, all.minNumber().floatValue());
  }

  @Test
  void eightBitSourceRejectsScaledData() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ArraySource.eightBit(Nd4j.zeros(DataType.FLOAT, 2, 1, 4, 4)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("FLOAT"), e.getMessage());
  }
}
