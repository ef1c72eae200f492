package io.github.ssl4j.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.testing.TestData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class EmbeddingSpreadTest {
  @Test
  void sameDirectionOrZeroRowsHaveNoSpreadAndRandomRowsHave() {
    // the same direction at different lengths: no spread after scaling to unit length
    assertEquals(0, EmbeddingSpread.of(Nd4j.create(new double[][] {{1, 2, 3}, {2, 4, 6}, {10, 20, 30}})), 1e-12);
    assertEquals(0, EmbeddingSpread.of(Nd4j.zeros(DataType.FLOAT, 5, 4)), 0);
    double random = EmbeddingSpread.of(TestData.images(64, 1, 4, 4, 7).sub(0.5)); // rows flattened to 16
    assertTrue(random > 0.1, "spread of random rows " + random);
    assertTrue(Double.isNaN(EmbeddingSpread.of(Nd4j.ones(1, 4))), "one row has no spread to measure");
    assertTrue(Double.isNaN(EmbeddingSpread.of(Nd4j.create(new double[][] {{1, Double.NaN}, {1, 2}}))));
    assertThrows(IllegalArgumentException.class, () -> EmbeddingSpread.of(null));
  }

  @Test
  void limitsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> DivergenceLimits.defaults().withEmbeddingSpread(-1, 1e-4, 3));
    assertThrows(IllegalArgumentException.class, () -> DivergenceLimits.defaults().withEmbeddingSpread(5, 1, 3));
    assertThrows(IllegalArgumentException.class, () -> DivergenceLimits.defaults().withEmbeddingSpread(5, 1e-4, 0));
    assertEquals(25, DivergenceLimits.defaults().embeddingCheckEverySteps());
    assertEquals(0, DivergenceLimits.nonFiniteOnly().embeddingCheckEverySteps());
  }
}
