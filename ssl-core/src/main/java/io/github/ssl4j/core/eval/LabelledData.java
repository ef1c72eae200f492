package io.github.ssl4j.core.eval;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled examples for evaluation and fine-tuning.
 *
 * @param features shape [n, ...] (raw inputs or representations)
 * @param labels class index per example, length n, each in [0, numClasses)
 * @param numClasses number of classes
 */
public record LabelledData(INDArray features, int[] labels, int numClasses) {

  public LabelledData {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    if (features.rank() < 2 || features.size(0) != labels.length) {
      throw new IllegalArgumentException(
          "features must be shaped [n, ...] with n = labels.length = " + labels.length
              + ", got shape " + Arrays.toString(features.shape()));
    }
    if (labels.length == 0) {
      throw new IllegalArgumentException("LabelledData needs at least one example, got none");
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " at index " + i + " outside [0, " + numClasses + ")");
      }
    }
  }

  public int size() {
    return labels.length;
  }

  /** One-hot labels, shape [n, numClasses], in the features' data type. */
  public INDArray oneHot() {
    INDArray out = Nd4j.zeros(features.dataType(), labels.length, numClasses);
    for (int i = 0; i < labels.length; i++) {
      out.putScalar(i, labels[i], 1.0);
    }
    return out;
  }

  /** The subset at the given indices (copied). */
  public LabelledData subset(int[] indices) {
    int[] sub = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      sub[i] = labels[indices[i]];
    }
    return new LabelledData(io.github.ssl4j.core.data.Rows.pull(features, indices), sub, numClasses);
  }

  /** Same labels, other features (e.g. representations of these examples). */
  public LabelledData withFeatures(INDArray newFeatures) {
    return new LabelledData(newFeatures, labels, numClasses);
  }
}
