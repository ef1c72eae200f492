package io.github.ssl4j.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Brings the features of any DL4J {@link DataSetIterator} into the trainer: the iterator is read
 * once (labels are ignored: pretraining is unlabelled) and its features are held in memory as an
 * {@link ArraySource}, which gives the trainer random access for seeded shuffling and exact resume.
 *
 * <pre>{@code
 * ExampleSource source = IteratorSource.read(myDataSetIterator);   // e.g. a RecordReaderDataSetIterator
 * }</pre>
 */
public final class IteratorSource {
  private IteratorSource() {}

  /**
   * Reads every batch of {@code iterator} (resetting it first when it supports reset).
   *
   * @return an in-memory source of shape [total examples, ...feature shape]
   * @throws IllegalArgumentException if the iterator is empty or its batches disagree in feature
   *     shape
   */
  public static ArraySource read(DataSetIterator iterator) {
    Objects.requireNonNull(iterator, "iterator");
    if (iterator.resetSupported()) {
      iterator.reset();
    }
    List<INDArray> parts = new ArrayList<>();
    long[] itemShape = null;
    int batch = 0;
    while (iterator.hasNext()) {
      DataSet ds = iterator.next();
      INDArray f = ds.getFeatures();
      if (f == null || f.rank() < 2 || f.size(0) == 0) {
        throw new IllegalArgumentException(
            "batch " + batch + " of the iterator has no features (shape "
                + (f == null ? "null" : java.util.Arrays.toString(f.shape()))
                + "); expected [batch, ...] with batch > 0");
      }
      long[] shape = java.util.Arrays.copyOfRange(f.shape(), 1, f.rank());
      if (itemShape == null) {
        itemShape = shape;
      } else if (!java.util.Arrays.equals(itemShape, shape)) {
        throw new IllegalArgumentException(
            "batch " + batch + " has examples of shape " + java.util.Arrays.toString(shape)
                + " but earlier batches had " + java.util.Arrays.toString(itemShape)
                + "; every example must have the same shape (resize or pad them first)");
      }
      parts.add(f.dup());
      batch++;
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException(
          "the DataSetIterator " + iterator.getClass().getSimpleName()
              + " delivered no batches; check its data path, or reset() it before passing it in");
    }
    return new ArraySource(parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0])));
  }
}
