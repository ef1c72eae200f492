package io.github.ssl4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Assertions on ND4J arrays for tests. */
public final class ArrayAssertions {
  private ArrayAssertions() {}

  /**
   * Same shape, and every element within {@code tolerance} times the largest magnitude in {@code
   * expected} (for results that may differ in float summation order).
   */
  public static void assertClose(INDArray expected, INDArray actual, double tolerance) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    double scale = Math.max(1e-30, expected.amaxNumber().doubleValue());
    double diff = expected.sub(actual).amaxNumber().doubleValue();
    assertTrue(diff <= tolerance * scale, "max difference " + diff + " > " + tolerance + " x " + scale);
  }
}
