package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
  // 3 classes, 8 examples:
  // actual    0 0 0 1 1 1 2 2
  // predicted 0 0 1 1 1 2 2 0
  private static final int[] ACTUAL = {0, 0, 0, 1, 1, 1, 2, 2};
  private static final int[] PREDICTED = {0, 0, 1, 1, 1, 2, 2, 0};

  @Test
  void accuracyByHand() {
    assertEquals(5.0 / 8, Metrics.accuracy(ACTUAL, PREDICTED), 0);
  }

  @Test
  void confusionMatrixByHand() {
    long[][] m = Metrics.confusionMatrix(ACTUAL, PREDICTED, 3);
    assertArrayEquals(new long[] {2, 1, 0}, m[0]);
    assertArrayEquals(new long[] {0, 2, 1}, m[1]);
    assertArrayEquals(new long[] {1, 0, 1}, m[2]);
  }

  @Test
  void precisionRecallF1ByHand() {
    // class 0: TP 2, predicted 3, actual 3 -> p 2/3, r 2/3, f1 2/3
    // class 1: TP 2, predicted 3, actual 3 -> p 2/3, r 2/3, f1 2/3
    // class 2: TP 1, predicted 2, actual 2 -> p 1/2, r 1/2, f1 1/2
    assertArrayEquals(new double[] {2.0 / 3, 2.0 / 3, 0.5},
        Metrics.precision(ACTUAL, PREDICTED, 3), 1e-12);
    assertArrayEquals(new double[] {2.0 / 3, 2.0 / 3, 0.5},
        Metrics.recall(ACTUAL, PREDICTED, 3), 1e-12);
    assertEquals((2.0 / 3 + 2.0 / 3 + 0.5) / 3, Metrics.macroF1(ACTUAL, PREDICTED, 3), 1e-12);
  }

  @Test
  void unequalPrecisionAndRecall() {
    int[] actual = {0, 0, 0, 0, 1, 1};
    int[] predicted = {0, 1, 1, 1, 1, 1};
    // class 1: TP 2, FP 3, FN 0 -> p 2/5, r 1, f1 = 2*0.4/1.4 = 4/7
    // class 0: TP 1, FP 0, FN 3 -> p 1, r 1/4, f1 = 2*0.25/1.25 = 2/5
    assertEquals(4.0 / 7, Metrics.f1(actual, predicted, 2)[1], 1e-12);
    assertEquals(0.4, Metrics.f1(actual, predicted, 2)[0], 1e-12);
    assertEquals(4.0 / 7, Metrics.binaryF1(actual, predicted, 1), 1e-12);
    assertEquals(0.4, Metrics.binaryF1(actual, predicted, 0), 1e-12);
    assertEquals((4.0 / 7 + 0.4) / 2, Metrics.macroF1(actual, predicted, 2), 1e-12);
  }

  @Test
  void zeroDivisionGivesZeroAndAbsentClassesAreNotAveraged() {
    int[] actual = {0, 0, 1};
    int[] predicted = {0, 0, 0};
    // class 1 never predicted: precision 0; recall 0; f1 0. Class 2 absent everywhere.
    assertEquals(0.0, Metrics.precision(actual, predicted, 3)[1], 0);
    assertEquals(0.0, Metrics.recall(actual, predicted, 3)[2], 0);
    // class 0: p 2/3, r 1 -> f1 0.8; class 1: 0; class 2 not counted.
    assertEquals(0.4, Metrics.macroF1(actual, predicted, 3), 1e-12);
    assertEquals(0.0, Metrics.binaryF1(actual, predicted, 2), 0);
  }

  @Test
  void perfectPredictions() {
    assertEquals(1.0, Metrics.macroF1(ACTUAL, ACTUAL, 3), 0);
    assertEquals(1.0, Metrics.accuracy(ACTUAL, ACTUAL), 0);
  }

  @Test
  void rejectsBadInput() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Metrics.accuracy(new int[] {0, 1}, new int[] {0}));
    assertTrue(e.getMessage().contains("2 and 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Metrics.confusionMatrix(new int[] {0, 3}, new int[] {0, 1}, 3));
    assertTrue(e.getMessage().contains("label 3 at index 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[0], new int[0]));
  }
}
