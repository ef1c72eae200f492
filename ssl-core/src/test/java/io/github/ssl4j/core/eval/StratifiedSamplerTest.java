package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class StratifiedSamplerTest {

  /** Class c has 100 + 10 c examples, interleaved. */
  private static LabelledData unbalanced() {
    int numClasses = 5;
    int[] sizes = {100, 110, 120, 130, 140};
    int n = Arrays.stream(sizes).sum();
    int[] labels = new int[n];
    int[] left = sizes.clone();
    int pos = 0;
    while (pos < n) {
      for (int c = 0; c < numClasses; c++) {
        if (left[c] > 0) {
          labels[pos++] = c;
          left[c]--;
        }
      }
    }
    return new LabelledData(Nd4j.zeros(n, 2), labels, numClasses);
  }

  private static int[] countPerClass(LabelledData data, int[] idx) {
    int[] counts = new int[data.numClasses()];
    for (int i : idx) {
      counts[data.labels()[i]]++;
    }
    return counts;
  }

  private static void assertValidSorted(LabelledData data, int[] idx) {
    for (int i = 0; i < idx.length; i++) {
      assertTrue(idx[i] >= 0 && idx[i] < data.size(), "index out of range: " + idx[i]);
      if (i > 0) {
        assertTrue(idx[i - 1] < idx[i], "not strictly increasing at " + i);
      }
    }
  }

  @Test
  void perClassCountsExact() {
    LabelledData data = unbalanced();
    int[] idx = StratifiedSampler.perClass(data, 60, 42);
    assertEquals(300, idx.length);
    assertArrayEquals(new int[] {60, 60, 60, 60, 60}, countPerClass(data, idx));
    assertValidSorted(data, idx);
  }

  @Test
  void perClassDeterministicAndSeedDependent() {
    LabelledData data = unbalanced();
    assertArrayEquals(StratifiedSampler.perClass(data, 10, 7), StratifiedSampler.perClass(data, 10, 7));
    assertFalse(Arrays.equals(
        StratifiedSampler.perClass(data, 10, 7), StratifiedSampler.perClass(data, 10, 8)));
  }

  @Test
  void perClassAllExamplesWhenRequestEqualsSmallestClass() {
    LabelledData data = unbalanced();
    int[] idx = StratifiedSampler.perClass(data, 100, 1);
    assertArrayEquals(new int[] {100, 100, 100, 100, 100}, countPerClass(data, idx));
  }

  @Test
  void perClassRejectsTooFewExamples() {
    LabelledData data = unbalanced();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StratifiedSampler.perClass(data, 101, 1));
    assertTrue(e.getMessage().contains("class 0 has 100 examples"), e.getMessage());
    assertTrue(e.getMessage().contains("at most 100"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.perClass(data, 0, 1));
  }

  @Test
  void fractionCountsPerClass() {
    LabelledData data = unbalanced();
    int[] idx = StratifiedSampler.fraction(data, 0.1, 3);
    assertArrayEquals(new int[] {10, 11, 12, 13, 14}, countPerClass(data, idx));
    assertValidSorted(data, idx);
    // 1 % of 100..140 rounds to 1 each.
    assertArrayEquals(new int[] {1, 1, 1, 1, 1},
        countPerClass(data, StratifiedSampler.fraction(data, 0.01, 3)));
    // Far below 1 %: still at least one per class.
    assertArrayEquals(new int[] {1, 1, 1, 1, 1},
        countPerClass(data, StratifiedSampler.fraction(data, 1e-6, 3)));
    // Everything.
    assertEquals(data.size(), StratifiedSampler.fraction(data, 1.0, 3).length);
  }

  @Test
  void fractionDeterministicAndSeedDependent() {
    LabelledData data = unbalanced();
    assertArrayEquals(StratifiedSampler.fraction(data, 0.2, 5),
        StratifiedSampler.fraction(data, 0.2, 5));
    assertFalse(Arrays.equals(StratifiedSampler.fraction(data, 0.2, 5),
        StratifiedSampler.fraction(data, 0.2, 6)));
  }

  @Test
  void fractionSkipsAbsentClassesAndRejectsBadFraction() {
    LabelledData data = new LabelledData(Nd4j.zeros(4, 1), new int[] {0, 0, 2, 2}, 3);
    assertArrayEquals(new int[] {1, 0, 1},
        countPerClass(data, StratifiedSampler.fraction(data, 0.5, 1)));
    for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> StratifiedSampler.fraction(data, bad, 1));
      assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
    }
  }
}
