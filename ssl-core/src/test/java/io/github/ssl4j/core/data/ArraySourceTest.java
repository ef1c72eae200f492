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
}
