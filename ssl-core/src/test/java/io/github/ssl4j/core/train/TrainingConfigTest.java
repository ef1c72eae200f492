package io.github.ssl4j.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

class TrainingConfigTest {
  @Test
  void defaults() {
    TrainingConfig c = TrainingConfig.builder(32).build();
    assertEquals(42, c.seed());
    assertEquals(1, c.epochs());
    assertEquals(new Adam(1e-3), c.updater());
    assertEquals(DataType.FLOAT, c.dataType());
    assertEquals(3, c.keepLastCheckpoints());
    assertEquals(2, c.prefetchDepth());
    assertEquals(10, c.totalSteps(10));
  }

  @Test
  void runLengthIsTheSmallerBound() {
    assertEquals(25, TrainingConfig.builder(4).epochs(3).maxSteps(25).build().totalSteps(10));
    assertEquals(30, TrainingConfig.builder(4).epochs(3).maxSteps(99).build().totalSteps(10));
    assertEquals(99, TrainingConfig.builder(4).maxSteps(99).build().totalSteps(10));
  }

  @Test
  void badValuesAreRejectedWithTheValueAndAFix() {
    IllegalArgumentException bs = assertThrows(IllegalArgumentException.class,
        () -> TrainingConfig.builder(0).build());
    assertTrue(bs.getMessage().contains("batchSize must be > 0, got 0"), bs.getMessage());
    IllegalArgumentException lr = assertThrows(IllegalArgumentException.class,
        () -> TrainingConfig.builder(8).updater(new Sgd(0.0)).build());
    assertTrue(lr.getMessage().contains("learning rate must be finite and > 0, got 0.0"), lr.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder(8).updater(new Adam(-1e-3)).build());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder(8).epochs(0))
        .getMessage().contains("epochs must be > 0, got 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder(8).maxSteps(-5))
        .getMessage().contains("maxSteps must be > 0, got -5"));
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder(8).keepLastCheckpoints(0));
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder(8).weightDecay(-1));
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder(8).dataType(DataType.INT));
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder(8)
        .updater(new org.nd4j.linalg.learning.config.NoOp())
        .learningRateSchedule(new WarmupCosineSchedule(1, 0, 1, 2)).build());
  }

  @Test
  void scheduleIsAppliedToTheUpdater() {
    WarmupCosineSchedule s = new WarmupCosineSchedule(1e-2, 0, 10, 100);
    TrainingConfig c = TrainingConfig.builder(8).learningRateSchedule(s).build();
    assertEquals(s.valueAt(5, 0), c.effectiveUpdater().getLearningRate(5, 0));
    assertEquals(1e-3, c.updater().getLearningRate(5, 0)); // the given updater is untouched
  }
}
