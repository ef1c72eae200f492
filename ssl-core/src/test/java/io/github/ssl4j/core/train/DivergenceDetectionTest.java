package io.github.ssl4j.core.train;

import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.testing.CheckpointSnapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongToDoubleFunction;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** The divergence checks beyond NaN/Inf: loss bound, loss explosion, parameter bound, collapse. */
class DivergenceDetectionTest {
  private static final Encoder ENCODER = new TinyMlpEncoder(8, 16, 6);

  @TempDir Path tmp;

  /** A network whose loss of step s (1-based) is {@code loss(s)} and whose parameters are given. */
  private static TrainingLoop.Network scripted(LongToDoubleFunction loss, INDArray params) {
    AtomicInteger fits = new AtomicInteger();
    return new TrainingLoop.Network() {
      @Override
      public void fit(MultiDataSet batch) {
        fits.incrementAndGet();
      }

      @Override
      public double score() {
        return loss.applyAsDouble(fits.get());
      }

      @Override
      public double regularizationScore() {
        return 0;
      }

      @Override
      public INDArray params() {
        return params;
      }

      @Override
      public void setEpochCount(int epoch) {}
    };
  }

  private static TrainingLoop.Builder loop(TrainingLoop.Network net, long steps) {
    MultiDataSet batch = new org.nd4j.linalg.dataset.MultiDataSet(Nd4j.ones(2, 2), Nd4j.ones(2, 2));
    return TrainingLoop.builder(net, step -> batch, 10, steps);
  }

  /** A noisy, slowly falling loss around 1 with spikes of 5x: a healthy run. */
  private static double healthy(long s) {
    return (1.0 + 0.3 * Math.sin(s * 1.7)) * Math.exp(-s / 500.0) * (s % 37 == 0 ? 5 : 1);
  }

  @Test
  void aHealthyNoisyRunIsNotStopped() {
    TrainingLoop.State end = loop(scripted(DivergenceDetectionTest::healthy, Nd4j.ones(1, 10)), 300)
        .paramCheckEverySteps(1).chanceLoss(Math.log(7), "ln(7)").build().run();
    assertEquals(300, end.step());
  }

  @Test
  void aFiniteButHugeLossStops() {
    // 1e28 is finite (in float and double): without a bound the run would go on
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> loop(scripted(s -> s < 5 ? 1.0 : 1e28, Nd4j.ones(1, 10)), 100).build().run());
    assertEquals(DivergenceException.Reason.LOSS_TOO_LARGE, e.reason());
    assertEquals(5, e.step());
    assertEquals(1e28, e.value());
    assertTrue(e.getMessage().contains("Training diverged at step 5"), e.getMessage());
    assertTrue(e.getMessage().contains("1.00000e+28") && e.getMessage().contains("1.00000e+12"),
        e.getMessage());
    assertTrue(e.getMessage().contains("maxAbsLoss"), e.getMessage());
    // no updater, so no learning rate to name (the message once said "learning rate NaN")
    assertTrue(e.getMessage().contains("(DivergenceLimits.maxAbsLoss). Try a lower learning rate"), e.getMessage());
    assertFalse(e.getMessage().contains("learning rate NaN"), e.getMessage());
  }

  @Test
  void embeddingsWithoutSpreadStopAtTheConfiguredChecksAndNameTheLastGoodCheckpoint() {
    INDArray spread = Nd4j.createFromArray(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}});
    INDArray alike = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {2, 4, 6}, {1, 2, 3}, {3, 6, 9}});
    long[] step = {0};
    Path lastGood = Path.of("checkpoints", "checkpoint-4.zip");
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> loop(scripted(s -> 1.0, Nd4j.ones(1, 10)), 100)
            .divergenceLimits(DivergenceLimits.defaults().withEmbeddingSpread(2, 1e-4, 3))
            .embeddings(batch -> ++step[0] <= 2 ? spread : alike, "of vertex 'head/out'")
            .divergenceAdvice("gradient clipping", () -> lastGood)
            .listener(new TrainingLoop.Listener() {
              @Override
              public void onStep(TrainingLoop.State state) {
                if (state.step() % 2 == 0) {
                  state.checkEmbeddings(); // a second check at the same step (as before a checkpoint) counts once
                }
              }
            })
            .build().run());
    // checks at steps 2, 4 (spread), 6, 8, 10 (alike): the third collapsed check is at step 10
    assertEquals(DivergenceException.Reason.EMBEDDING_COLLAPSE, e.reason(), e.getMessage());
    assertEquals(10, e.step(), e.getMessage());
    assertEquals(0, e.value(), 1e-12);
    assertEquals(lastGood, e.lastGoodCheckpoint().orElseThrow());
    assertTrue(e.getMessage().contains("3 consecutive checks") && e.getMessage().contains("'head/out'")
        && e.getMessage().contains("checkpoint-4.zip"), e.getMessage());
  }

  @Test
  void aLossThatExplodesRelativeToItsRunningLevelStops() {
    // 500 is below the absolute bound but 500x the running level of ~1
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> loop(scripted(s -> s < 30 ? 1.0 : 500, Nd4j.ones(1, 10)), 100).build().run());
    assertEquals(DivergenceException.Reason.LOSS_EXPLOSION, e.reason());
    assertEquals(30, e.step());
    assertTrue(e.getMessage().contains("jumped to 500.000") && e.getMessage().contains("100.000 times"),
        e.getMessage());
    // within the warm-up the same jump is tolerated; the check can be switched off
    assertEquals(100, loop(scripted(s -> s < 30 ? 1.0 : 500, Nd4j.ones(1, 10)), 100)
        .divergenceLimits(DivergenceLimits.defaults().withLossExplosion(0, 1)).build().run().step());
    assertEquals(100, loop(scripted(s -> s < 10 ? 1.0 : 500, Nd4j.ones(1, 10)), 100)
        .divergenceLimits(DivergenceLimits.defaults().withLossExplosion(1e4, 5)).build().run().step());
  }

  @Test
  void parametersAboveTheBoundStopAtTheCheckCadence() {
    INDArray params = Nd4j.ones(1, 10);
    TrainingLoop.Network net = scripted(s -> {
      if (s == 7) {
        params.putScalar(3, -3e7);
      }
      return 1.0;
    }, params);
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> loop(net, 100).paramCheckEverySteps(5).build().run());
    assertEquals(DivergenceException.Reason.PARAMETERS_TOO_LARGE, e.reason());
    assertEquals(10, e.step());
    assertEquals(3e7, e.value());
    assertTrue(e.getMessage().contains("3.00000e+07") && e.getMessage().contains("maxAbsParameter"),
        e.getMessage());
  }

  @Test
  void aLossStuckAtChanceLevelIsACollapse() {
    double chance = Math.log(7);
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> loop(scripted(s -> s < 10 ? 2.5 - s * 0.01 : chance + 1e-6, Nd4j.ones(1, 10)), 100)
            .chanceLoss(chance, "ln(2N-1) for N = 4").build().run());
    assertEquals(DivergenceException.Reason.COLLAPSE, e.reason());
    assertEquals(9 + DivergenceLimits.defaults().chanceLossSteps(), e.step());
    assertTrue(e.getMessage().contains("collapsed") && e.getMessage().contains("ln(2N-1) for N = 4")
        && e.getMessage().contains("1.94591"), e.getMessage());
    // near chance but moving: no alarm
    assertEquals(100, loop(scripted(s -> chance + 0.01 * Math.sin(s), Nd4j.ones(1, 10)), 100)
        .chanceLoss(chance, "ln(7)").build().run().step());
  }

  /** 64 examples of width 8. */
  private static ExampleSource data() {
    return new ArraySource(TestData.gaussian(64, 8, 7));
  }

  @Test
  void aTrainerRunWhoseLossReaches1e28StopsAndKeepsTheLastGoodCheckpoint() throws IOException {
    Path dir = tmp.resolve("run");
    AtomicInteger calls = new AtomicInteger();
    ReconstructTask base = new ReconstructTask(0.1);
    // from step 5 on the targets are 1e14 times larger: a finite loss around 1e28
    io.github.ssl4j.core.PretextTask task = new io.github.ssl4j.core.PretextTask() {
      @Override
      public String id() {
        return base.id();
      }

      @Override
      public void buildGraph(org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder g,
          Encoder encoder) {
        base.buildGraph(g, encoder);
      }

      @Override
      public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
        MultiDataSet m = base.prepare(examples, rng);
        if (calls.incrementAndGet() >= 5) {
          m.getLabels(0).muli(1e14);
        }
        return m;
      }

      @Override
      public java.util.Map<String, Object> config() {
        return base.config();
      }
    };
    CheckpointSnapshot snapshot = new CheckpointSnapshot(dir.resolve("checkpoint-4.zip"), 4); // inside step 5
    TrainingConfig cfg = TrainingConfig.builder(6).epochs(2).dataType(DataType.DOUBLE)
        .updater(new Adam(1e-2)).progressBar(false).logEverySteps(0).checkpointDir(dir)
        .checkpointEverySteps(2).listeners(snapshot).build();
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new Trainer(cfg).fit(task, ENCODER, data()));
    assertEquals(DivergenceException.Reason.LOSS_TOO_LARGE, e.reason());
    assertEquals(5, e.step());
    assertTrue(Double.isFinite(e.value()) && e.value() > 1e26, "value " + e.value());
    assertTrue(e.getMessage().contains("checkpoint-4.zip"), e.getMessage());
    assertEquals(dir.resolve("checkpoint-4.zip"), e.lastGoodCheckpoint().orElseThrow());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("checkpoint-2.zip", "checkpoint-4.zip"), files
          .map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted()
          .toList());
    }
    assertNotNull(snapshot.bytes());
    assertArrayEquals(snapshot.bytes(), Files.readAllBytes(dir.resolve("checkpoint-4.zip")));
  }

  @Test
  void limitsAreValidated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DivergenceLimits.defaults().withMaxAbsParameter(Double.NaN));
    assertTrue(e.getMessage().contains("maxAbsParameter") && e.getMessage().contains("NaN"));
    e = assertThrows(IllegalArgumentException.class,
        () -> DivergenceLimits.defaults().withLossExplosion(0.5, 10));
    assertTrue(e.getMessage().contains("lossExplosionFactor") && e.getMessage().contains("0.5"));
    e = assertThrows(IllegalArgumentException.class,
        () -> DivergenceLimits.defaults().withChanceLoss(-1, 1e-4));
    assertTrue(e.getMessage().contains("chanceLossSteps") && e.getMessage().contains("-1"));
  }
}
