package io.github.ssl4j.tasks.contrastive;

import io.github.ssl4j.core.testing.CheckpointSnapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.train.DivergenceException;
import io.github.ssl4j.core.train.DivergenceLimits;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * A SimCLR run at learning rate 1e6 collapses (every embedding alike, the loss pinned at the
 * chance level ln(2N-1), parameters around 1e16): the trainer stops it and keeps the last good
 * checkpoint.
 */
class ContrastiveCollapseTest {
  private static final int N = 4; // images per batch: 2N = 8 views, chance ln(7)

  @TempDir Path tmp;

  private static ArraySource images() {
    return new ArraySource(TestData.images(8, 1, 28, 28, 5));
  }

  @Test
  void chanceLevelIsLnOfTheOtherViews() {
    assertEquals(Math.log(2 * N - 1), ContrastiveTask.simclr().chanceLoss(N).orElseThrow(), 1e-15);
  }

  @Test
  void aLearningRateSpikeTo1e6StopsTheRunAndKeepsTheLastGoodCheckpoint() throws IOException {
    Path dir = tmp.resolve("simclr");
    // four healthy steps at 1e-3, then 1e6
    MapSchedule spike = new MapSchedule(ScheduleType.ITERATION, Map.of(0, 1e-3, 4, 1e6));
    CheckpointSnapshot snapshot = new CheckpointSnapshot(dir.resolve("checkpoint-4.zip"), 4); // inside step 5
    TrainingConfig cfg = TrainingConfig.builder(N).epochs(10).updater(new Adam(1e-3))
        .learningRateSchedule(spike).checkpointDir(dir).checkpointEverySteps(2)
        .listeners(snapshot).progressBar(false).logEverySteps(0).build();
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new Trainer(cfg).fit(ContrastiveTask.simclr(), ConvEncoder.small(28, 28, 1), images()));
    assertTrue(e.step() > 4 && e.step() <= 6, "stopped at step " + e.step() + ": " + e.getMessage());
    assertTrue(e.reason() == DivergenceException.Reason.PARAMETERS_TOO_LARGE
        || e.reason() == DivergenceException.Reason.COLLAPSE, e.reason() + ": " + e.getMessage());
    assertTrue(e.getMessage().contains("step " + e.step()), e.getMessage());
    assertTrue(e.getMessage().contains("checkpoint-4.zip") && e.getMessage().contains("left unchanged"),
        e.getMessage());
    assertEquals(dir.resolve("checkpoint-4.zip"), e.lastGoodCheckpoint().orElseThrow());
    assertEquals(List.of("checkpoint-2.zip", "checkpoint-4.zip"), checkpoints(dir));
    assertNotNull(snapshot.bytes());
    assertArrayEquals(snapshot.bytes(), Files.readAllBytes(dir.resolve("checkpoint-4.zip")));
    // the last good checkpoint resumes to a sane model
    ComputationGraph good = new Trainer(cfg.toBuilder().maxSteps(4).listeners().build())
        .resume(dir, ContrastiveTask.simclr(), ConvEncoder.small(28, 28, 1), images()).graph();
    assertEquals(4, good.getIterationCount());
    assertTrue(good.params().amaxNumber().doubleValue() < 100);
  }

  @Test
  void aLossPinnedAtChanceLevelIsCaughtEvenWithoutTheParameterBound() {
    // the parameter bound off: only the chance-level check can see the collapse
    TrainingConfig cfg = TrainingConfig.builder(N).epochs(10).updater(new Adam(1e6))
        .divergenceLimits(DivergenceLimits.defaults().withMaxAbsParameter(Double.POSITIVE_INFINITY)
            .withChanceLoss(5, 1e-4))
        .progressBar(false).logEverySteps(0).build();
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new Trainer(cfg).fit(ContrastiveTask.simclr(), ConvEncoder.small(28, 28, 1), images()));
    assertEquals(DivergenceException.Reason.COLLAPSE, e.reason(), e.getMessage());
    assertEquals(Math.log(2 * N - 1), e.value(), 1e-4);
    assertTrue(e.getMessage().contains("collapsed") && e.getMessage().contains("chance level")
        && e.getMessage().contains("1.94591") && e.getMessage().contains("5 steps"), e.getMessage());
  }

  private static List<String> checkpoints(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-"))
          .sorted().toList();
    }
  }
}
