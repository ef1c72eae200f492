package io.github.ssl4j.core.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained classifier: maps examples to class indices.
 *
 * <p>Implementations in this package ({@link KnnClassifier.Model}, {@link LinearProbe.Model}) are
 * immutable after training; any other implementation (for example a fine-tuned network) can be
 * plugged into {@link FewLabelProtocol} as a lambda.
 */
@FunctionalInterface
public interface Classifier {

  /**
   * Predicts a class per example.
   *
   * @param x examples, shape [n, ...] (whatever the classifier was trained on)
   * @return predicted class index per example, length n
   */
  int[] predict(INDArray x);

  /**
   * Fraction of examples of {@code data} whose prediction equals the label.
   *
   * @param data labelled examples, features shaped as for {@link #predict(INDArray)}
   * @return accuracy in [0, 1]
   */
  default double accuracy(LabelledData data) {
    return Metrics.accuracy(data.labels(), predict(data.features()));
  }
}
