package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class LabelledDataTest {
  @Test
  void subsetPicksExamplesOfImageArrays() {
    INDArray images = Nd4j.arange(0, 4 * 2 * 3 * 3).castTo(DataType.FLOAT).reshape(4, 2, 3, 3);
    LabelledData data = new LabelledData(images, new int[] {0, 1, 2, 1}, 3);
    LabelledData sub = data.subset(new int[] {3, 1, 3});
    assertArrayEquals(new long[] {3, 2, 3, 3}, sub.features().shape());
    assertArrayEquals(new int[] {1, 1, 1}, sub.labels());
    assertEquals(images.get(NDArrayIndex.point(3)), sub.features().get(NDArrayIndex.point(0)));
    assertEquals(images.get(NDArrayIndex.point(1)), sub.features().get(NDArrayIndex.point(1)));
  }

  @Test
  void subsetPicksRowsOfMatrices() {
    INDArray x = Nd4j.arange(0, 12).castTo(DataType.DOUBLE).reshape(4, 3);
    LabelledData sub = new LabelledData(x, new int[] {0, 1, 0, 1}, 2).subset(new int[] {2, 0});
    assertEquals(Nd4j.createFromArray(new double[][] {{6, 7, 8}, {0, 1, 2}}), sub.features());
  }

  @Test
  void oneHotAndValidation() {
    LabelledData d = new LabelledData(Nd4j.zeros(DataType.FLOAT, 3, 2), new int[] {2, 0, 1}, 3);
    assertEquals(Nd4j.createFromArray(new float[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}}), d.oneHot());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LabelledData(Nd4j.zeros(3, 2), new int[] {0, 5, 1}, 3));
    assertTrue(e.getMessage().contains("label 5 at index 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new LabelledData(Nd4j.zeros(3, 2), new int[] {0, 1}, 3));
    assertTrue(e.getMessage().contains("[3, 2]"), e.getMessage());
  }
}
