package io.github.ssl4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class IteratorSourceTest {
  @Test
  void readsAllBatchesInOrder() {
    INDArray images = Nd4j.arange(0, 10 * 4).castTo(DataType.FLOAT).reshape(10, 1, 2, 2);
    List<DataSet> examples = new DataSet(images, Nd4j.zeros(10, 3)).asList();
    ArraySource source = IteratorSource.read(new ListDataSetIterator<>(examples, 3)); // 3+3+3+1
    assertEquals(10, source.size());
    assertArrayEquals(new long[] {10, 1, 2, 2}, source.data().shape());
    assertEquals(images.get(NDArrayIndex.point(7)), source.get(new long[] {7}).get(NDArrayIndex.point(0)));
  }

  @Test
  void emptyAndRaggedIteratorsAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IteratorSource.read(new ListDataSetIterator<>(List.<DataSet>of(), 2)));
    assertTrue(e.getMessage().contains("no batches"), e.getMessage());

    List<DataSet> ragged = List.of(
        new DataSet(Nd4j.zeros(2, 4), Nd4j.zeros(2, 1)), new DataSet(Nd4j.zeros(2, 5), Nd4j.zeros(2, 1)));
    e = assertThrows(IllegalArgumentException.class,
        () -> IteratorSource.read(new ListDataSetIterator<>(ragged, 1)));
    assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[4]"), e.getMessage());
  }
}
