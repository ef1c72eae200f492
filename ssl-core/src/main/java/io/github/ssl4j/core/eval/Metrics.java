package io.github.ssl4j.core.eval;

import java.util.Objects;

/**
 * Classification metrics on integer class labels.
 *
 * <p>Conventions follow scikit-learn with {@code zero_division=0}: precision of a class that is
 * never predicted, recall of a class that never occurs, and F1 of a class whose precision and
 * recall are both 0 are all 0. {@link #macroF1} averages over the classes that occur in
 * {@code actual} or {@code predicted} (as scikit-learn does when {@code labels} is not given), so a
 * class absent from both does not pull the average down.
 *
 * <p>All methods take the true labels first, then the predictions, both of equal non-zero length.
 */
public final class Metrics {
  private Metrics() {}

  /**
   * Fraction of positions where {@code predicted[i] == actual[i]}.
   *
   * @return accuracy in [0, 1]
   */
  public static double accuracy(int[] actual, int[] predicted) {
    checkLengths(actual, predicted);
    int correct = 0;
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] == predicted[i]) {
        correct++;
      }
    }
    return (double) correct / actual.length;
  }

  /**
   * Confusion matrix: entry [a][p] counts examples of true class a predicted as p.
   *
   * @param numClasses number of classes; every label must be in [0, numClasses)
   * @return matrix of shape [numClasses][numClasses], rows = true class, columns = predicted
   */
  public static long[][] confusionMatrix(int[] actual, int[] predicted, int numClasses) {
    checkLengths(actual, predicted);
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
    }
    long[][] m = new long[numClasses][numClasses];
    for (int i = 0; i < actual.length; i++) {
      checkLabel("actual", i, actual[i], numClasses);
      checkLabel("predicted", i, predicted[i], numClasses);
      m[actual[i]][predicted[i]]++;
    }
    return m;
  }

  /**
   * Per-class precision: TP / (TP + FP), 0 for a class that is never predicted.
   *
   * @return array of length numClasses
   */
  public static double[] precision(int[] actual, int[] predicted, int numClasses) {
    long[][] m = confusionMatrix(actual, predicted, numClasses);
    double[] out = new double[numClasses];
    for (int c = 0; c < numClasses; c++) {
      long predictedAsC = 0;
      for (int a = 0; a < numClasses; a++) {
        predictedAsC += m[a][c];
      }
      out[c] = predictedAsC == 0 ? 0.0 : (double) m[c][c] / predictedAsC;
    }
    return out;
  }

  /**
   * Per-class recall: TP / (TP + FN), 0 for a class that never occurs in {@code actual}.
   *
   * @return array of length numClasses
   */
  public static double[] recall(int[] actual, int[] predicted, int numClasses) {
    // swapping the roles transposes the confusion matrix: recall is precision of the swapped pair
    return precision(predicted, actual, numClasses);
  }


  /**
   * Per-class F1, the harmonic mean of precision and recall (0 when both are 0).
   *
   * @return array of length numClasses
   */
  public static double[] f1(int[] actual, int[] predicted, int numClasses) {
    double[] p = precision(actual, predicted, numClasses);
    double[] r = recall(actual, predicted, numClasses);
    double[] out = new double[numClasses];
    for (int c = 0; c < numClasses; c++) {
      out[c] = f1(p[c], r[c]);
    }
    return out;
  }

  /**
   * Unweighted mean of the per-class F1 over the classes that occur in {@code actual} or
   * {@code predicted}.
   *
   * @return macro-F1 in [0, 1]
   */
  public static double macroF1(int[] actual, int[] predicted, int numClasses) {
    double[] f1 = f1(actual, predicted, numClasses);
    boolean[] present = new boolean[numClasses];
    for (int i = 0; i < actual.length; i++) {
      present[actual[i]] = true;
      present[predicted[i]] = true;
    }
    double sum = 0;
    int count = 0;
    for (int c = 0; c < numClasses; c++) {
      if (present[c]) {
        sum += f1[c];
        count++;
      }
    }
    return sum / count;
  }

  /**
   * F1 of one class treated as positive and all others as negative (e.g. spam vs ham).
   *
   * @param positiveClass the positive class, &gt;= 0
   * @return F1 in [0, 1]; 0 if the positive class is neither predicted nor present
   */
  public static double binaryF1(int[] actual, int[] predicted, int positiveClass) {
    checkLengths(actual, predicted);
    if (positiveClass < 0) {
      throw new IllegalArgumentException("positiveClass must be >= 0, got " + positiveClass);
    }
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (int i = 0; i < actual.length; i++) {
      boolean a = actual[i] == positiveClass;
      boolean p = predicted[i] == positiveClass;
      if (a && p) {
        tp++;
      } else if (p) {
        fp++;
      } else if (a) {
        fn++;
      }
    }
    // F1 = 2TP / (2TP + FP + FN), equal to the harmonic mean of precision and recall.
    long denominator = 2 * tp + fp + fn;
    return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
  }

  private static double f1(double precision, double recall) {
    return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
  }

  private static void checkLengths(int[] actual, int[] predicted) {
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(predicted, "predicted");
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(
          "actual and predicted must have the same length, got " + actual.length + " and "
              + predicted.length + "; predict exactly one label per example");
    }
    if (actual.length == 0) {
      throw new IllegalArgumentException("metrics need at least one example, got none; pass"
          + " the predictions and labels of a non-empty test set");
    }
  }

  private static void checkLabel(String what, int index, int label, int numClasses) {
    if (label < 0 || label >= numClasses) {
      throw new IllegalArgumentException(
          what + " label " + label + " at index " + index + " is outside [0, " + numClasses
              + "); pass the right numClasses or fix the labels");
    }
  }
}
