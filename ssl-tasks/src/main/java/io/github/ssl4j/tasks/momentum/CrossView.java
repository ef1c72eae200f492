package io.github.ssl4j.tasks.momentum;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Cross-view targets for views stacked as {@code MultiViewTransform} stacks them (view v of image i
 * at row {@code v * N + i}): each row gets the teacher's output for the next view of the same
 * image, as BYOL and DINO pair a student view with a teacher view of another crop.
 */
public final class CrossView {
  private CrossView() {}

  /**
   * Row {@code v * N + i} of the result is row {@code ((v + 1) mod V) * N + i} of {@code rows}; for
   * two views the halves are swapped.
   *
   * @param rows [V * N, d]
   * @param views V, &gt;= 2, dividing the row count
   * @return a new array of the same shape
   * @throws IllegalArgumentException if V does not divide the rows
   */
  public static INDArray nextView(INDArray rows, int views) {
    java.util.Objects.requireNonNull(rows, "rows");
    if (views < 2 || rows.size(0) % views != 0) {
      throw new IllegalArgumentException(
          "expected " + views + " stacked views (>= 2) dividing the " + rows.size(0) + " rows");
    }
    long n = rows.size(0) / views;
    INDArray out = Nd4j.createUninitialized(rows.dataType(), rows.shape());
    for (int v = 0; v < views; v++) {
      int from = (v + 1) % views;
      out.get(NDArrayIndex.interval(v * n, (v + 1) * n), NDArrayIndex.all())
          .assign(rows.get(NDArrayIndex.interval(from * n, (from + 1) * n), NDArrayIndex.all()));
    }
    return out;
  }
}
