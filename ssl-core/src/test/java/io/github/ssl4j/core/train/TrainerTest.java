package io.github.ssl4j.core.train;

import io.github.ssl4j.core.testing.CheckpointSnapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class TrainerTest {
  private static final Encoder ENCODER = new TinyMlpEncoder(8, 16, 6);
  private static final ReconstructTask TASK = new ReconstructTask(0.1);

  @TempDir Path tmp;

  /** 64 examples of width 8; with batch 6 an epoch is 10 steps (4 examples dropped). */
  private static ExampleSource data(int width) {
    Random r = new Random(7);
    double[] v = new double[64 * width];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return new ArraySource(Nd4j.create(v, new long[] {64, width}, DataType.DOUBLE));
  }

  private static TrainingConfig.Builder base() {
    return TrainingConfig.builder(6).epochs(2).dataType(DataType.DOUBLE).updater(new Adam(1e-2))
        .progressBar(false).logEverySteps(0).learningRateSchedule(new WarmupCosineSchedule(1e-2, 1e-4, 3, 20));
  }

  /** Throws inside DL4J's fit at the given iteration, like a crash in the middle of an epoch. */
  private static final class Crash extends BaseTrainingListener {
    private final int atIteration;

    Crash(int atIteration) {
      this.atIteration = atIteration;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      if (iteration == atIteration) {
        throw new IllegalStateException("simulated crash at iteration " + iteration);
      }
    }
  }

  @Test
  void resumeAfterCrashIsBitIdenticalToUninterruptedRun() throws IOException {
    ExampleSource data = data(8);
    TrainingResult a = new Trainer(base().build()).fit(TASK, ENCODER, data);
    assertEquals(20, a.steps());
    assertEquals(2, a.epochs());
    assertEquals(20, a.history().size());

    Path dir = tmp.resolve("b");
    TrainingConfig withCheckpoints = base().checkpointDir(dir).checkpointEverySteps(3).build();
    TrainingConfig crashing = withCheckpoints.toBuilder().listeners(new Crash(7)).build();
    IllegalStateException crash =
        assertThrows(IllegalStateException.class, () -> new Trainer(crashing).fit(TASK, ENCODER, data));
    assertTrue(crash.getMessage().contains("simulated crash"), crash.getMessage());
    assertEquals(java.util.List.of("checkpoint-3.zip", "checkpoint-6.zip"), checkpointNames(dir));

    TrainingResult b = new Trainer(withCheckpoints).resume(dir, TASK, ENCODER, data);
    assertEquals(20, b.steps());
    assertArrayEquals(a.graph().params().data().asDouble(), b.graph().params().data().asDouble(),
        "resumed parameters must equal the uninterrupted run bit for bit");
    assertEquals(a.graph().params(), b.graph().params());
    assertEquals(losses(a), losses(b));
    assertTrue(a.finalLoss() < a.history().get(0).loss(), "loss should fall: " + losses(a));
    // keep last 3, loss history files, metadata
    assertEquals(java.util.List.of("checkpoint-15.zip", "checkpoint-18.zip", "checkpoint-20.zip"), checkpointNames(dir));
    assertTrue(Files.readString(dir.resolve("loss-history.csv")).startsWith("step,epoch,loss,learning_rate,seconds\n1,0,"));
    assertTrue(Files.exists(dir.resolve("loss-history.json")));
    assertTrue(Files.exists(dir.resolve("run.json")));
    assertEquals("test-reconstruct", b.metadata().taskId());
    assertEquals(20, b.metadata().trainingSteps());
    assertEquals("encoder/dense2", b.encoderOutputVertex());
    io.github.ssl4j.core.PretrainedEncoder cut = b.pretrainedEncoder();
    assertEquals(b.graph().getLayer("encoder/dense2").params(), cut.graph().getLayer("encoder/dense2").params());
    assertEquals(b.metadata(), cut.metadata());
    assertEquals(0.0, b.history().get(0).learningRate()); // warm-up starts at 0
    Path hist = tmp.resolve("hist");
    b.writeHistory(hist);
    assertEquals(21, Files.readAllLines(hist.resolve("loss-history.csv")).size());
    assertEquals(b.history(), Checkpoints.JSON.readValue(hist.resolve("loss-history.json").toFile(),
        new com.fasterxml.jackson.core.type.TypeReference<java.util.List<LossRecord>>() {}));
  }

  @Test
  void timeBudgetStopsWithACheckpointThatResumesBitIdentically() throws IOException {
    ExampleSource data = data(8);
    TrainingResult a = new Trainer(base().build()).fit(TASK, ENCODER, data);

    Path dir = tmp.resolve("budget");
    // a budget shorter than any step: every call stops after its first step, mid-epoch
    TrainingConfig tight = base().checkpointDir(dir).checkpointAtEpochEnd(false)
        .maxTime(java.time.Duration.ofNanos(1)).build();
    TrainingResult first = new Trainer(tight).fit(TASK, ENCODER, data);
    assertEquals(1, first.steps());
    assertEquals(java.util.List.of("checkpoint-1.zip"), checkpointNames(dir));
    TrainingResult second = new Trainer(tight).resume(dir, TASK, ENCODER, data);
    assertEquals(2, second.steps());

    TrainingResult rest = new Trainer(base().checkpointDir(dir).build()).resume(dir, TASK, ENCODER, data);
    assertEquals(20, rest.steps());
    assertArrayEquals(a.graph().params().data().asDouble(), rest.graph().params().data().asDouble(),
        "a run stopped by its time budget and resumed must equal the uninterrupted run bit for bit");
    assertEquals(losses(a), losses(rest));
    assertThrows(IllegalArgumentException.class, () -> base().maxTime(java.time.Duration.ZERO));
  }

  @Test
  void divergenceNamesStepAndLeavesLastCheckpointIntact() throws IOException {
    Path dir = tmp.resolve("div");
    AtomicInteger calls = new AtomicInteger();
    PretextTask nanAtStep5 = new DelegatingTask(TASK) {
      @Override
      public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
        MultiDataSet m = TASK.prepare(examples, rng);
        if (calls.incrementAndGet() == 5) {
          m.getFeatures(0).putScalar(0, Double.NaN);
        }
        return m;
      }
    };
    CheckpointSnapshot snapshot = new CheckpointSnapshot(dir.resolve("checkpoint-4.zip"), 4); // inside step 5
    TrainingConfig cfg = base().checkpointDir(dir).checkpointEverySteps(2).keepLastCheckpoints(1)
        .listeners(snapshot).build();
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new Trainer(cfg).fit(nanAtStep5, ENCODER, data(8)));
    assertEquals(5, e.step());
    assertTrue(e.getMessage().contains("step 5"), e.getMessage());
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
    assertTrue(e.getMessage().contains("checkpoint-4.zip"), e.getMessage());
    assertEquals(java.util.List.of("checkpoint-4.zip"), checkpointNames(dir));
    assertNotNull(snapshot.bytes());
    assertArrayEquals(snapshot.bytes(), Files.readAllBytes(dir.resolve("checkpoint-4.zip")));
  }

  @Test
  void recordedLossExcludesTheWeightDecayTerm() {
    // the first step's loss is computed before any update, so weight decay must not change it;
    // DL4J's score would add 0.5 * coeff * |w|^2 (here about 50x the task loss)
    TrainingConfig plain = TrainingConfig.builder(6).maxSteps(1).dataType(DataType.DOUBLE)
        .progressBar(false).logEverySteps(0).build();
    TrainingConfig decayed = plain.toBuilder().weightDecay(5.0).build();
    double a = new Trainer(plain).fit(TASK, ENCODER, data(8)).history().get(0).loss();
    double b = new Trainer(decayed).fit(TASK, ENCODER, data(8)).history().get(0).loss();
    assertEquals(a, b, 1e-9 * Math.abs(a));
  }

  @Test
  void hugeLearningRateDiverges() {
    TrainingConfig cfg = TrainingConfig.builder(6).epochs(2).dataType(DataType.FLOAT)
        .updater(new org.nd4j.linalg.learning.config.Sgd(1e12)).paramCheckEverySteps(1)
        .progressBar(false).logEverySteps(0).build();
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new Trainer(cfg).fit(TASK, ENCODER, data(8)));
    assertTrue(e.getMessage().contains("Training diverged at step " + e.step()), e.getMessage());
    assertTrue(e.getMessage().contains("lower learning rate"), e.getMessage());
  }

  @Test
  void fitIntoDirectoryOfAnotherRunIsRejected() {
    Path dir = tmp.resolve("owned");
    new Trainer(base().maxSteps(2).checkpointDir(dir).progressBar(true).build()).fit(TASK, ENCODER, data(8));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new Trainer(base().maxSteps(2).seed(43).checkpointDir(dir).build()).fit(TASK, ENCODER, data(8)));
    assertTrue(e.getMessage().contains("belongs to another run"), e.getMessage());
    assertTrue(e.getMessage().contains("seed 42") && e.getMessage().contains("seed 43"), e.getMessage());
    assertTrue(e.getMessage().contains("new checkpoint directory"), e.getMessage());
    IllegalStateException same = assertThrows(IllegalStateException.class,
        () -> new Trainer(base().maxSteps(2).checkpointDir(dir).build()).fit(TASK, ENCODER, data(8)));
    assertTrue(same.getMessage().contains("resume("), same.getMessage());
    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().maxSteps(4).seed(43).build()).resume(dir, TASK, ENCODER, data(8)));
    assertTrue(other.getMessage().contains("different configuration"), other.getMessage());
    PretextTask renamed = new DelegatingTask(TASK) {
      @Override
      public String id() {
        return "other-task";
      }

      @Override
      public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
        return TASK.prepare(examples, rng);
      }
    };
    IllegalArgumentException otherTask = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().build()).resume(dir, renamed, ENCODER, data(8)));
    assertTrue(otherTask.getMessage().contains("task 'test-reconstruct', not 'other-task'"), otherTask.getMessage());
  }

  @Test
  void truncatedCheckpointIsRejectedWithClearMessage() throws IOException {
    Path dir = tmp.resolve("t");
    new Trainer(base().maxSteps(2).checkpointDir(dir).build()).fit(TASK, ENCODER, data(8));
    byte[] bytes = Files.readAllBytes(dir.resolve("checkpoint-2.zip"));
    Path truncated = tmp.resolve("checkpoint-2.zip");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().build()).resume(truncated, TASK, ENCODER, data(8)));
    assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
    assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().build()).resume(tmp.resolve("nope"), TASK, ENCODER, data(8)));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
  }

  @Test
  void checkpointWithAlteredModelIsRejected() throws IOException {
    Path dir = tmp.resolve("c");
    new Trainer(base().maxSteps(2).checkpointDir(dir).build()).fit(TASK, ENCODER, data(8));
    Path altered = tmp.resolve("checkpoint-2.zip");
    try (var in = new java.util.zip.ZipFile(dir.resolve("checkpoint-2.zip").toFile());
        var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(altered))) {
      for (var entry : java.util.Collections.list(in.entries())) {
        byte[] b = in.getInputStream(entry).readAllBytes();
        if (entry.getName().equals(Checkpoints.MODEL_ENTRY)) {
          b[b.length / 2] ^= 1;
        }
        out.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
        out.write(b);
        out.closeEntry();
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().build()).resume(altered, TASK, ENCODER, data(8)));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void emptySourceIsRejectedBeforeTraining() {
    ExampleSource empty = new ExampleSource() {
      @Override
      public long size() {
        return 0;
      }

      @Override
      public INDArray get(long[] indices) {
        throw new AssertionError("must not be called");
      }
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().build()).fit(TASK, ENCODER, empty));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void wrongInputShapeNamesVertexAndBothShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().build()).fit(TASK, ENCODER, data(5)));
    assertTrue(e.getMessage().contains("'input'"), e.getMessage());
    assertTrue(e.getMessage().contains("[batch, 8]"), e.getMessage());
    assertTrue(e.getMessage().contains("[6, 5]"), e.getMessage());
  }

  @Test
  void producerFailurePropagatesWithCause() {
    PretextTask broken = new DelegatingTask(TASK) {
      @Override
      public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
        throw new UnsupportedOperationException("boom in collator");
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new Trainer(base().build()).fit(broken, ENCODER, data(8)));
    assertTrue(e.getMessage().contains("step 1"), e.getMessage());
    assertTrue(e.getCause() instanceof UnsupportedOperationException);
    assertFalse(Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("ssl4j-prefetch") && t.isAlive()), "prefetch thread must stop");
  }

  private static java.util.List<String> checkpointNames(Path dir) throws IOException {
    return Checkpoints.list(dir).stream().map(p -> p.getFileName().toString()).toList();
  }

  private static java.util.List<Double> losses(TrainingResult r) {
    return r.history().stream().map(LossRecord::loss).toList();
  }

  /** Delegates everything to a task; tests override prepare. */
  private abstract static class DelegatingTask implements PretextTask {
    private final PretextTask delegate;

    DelegatingTask(PretextTask delegate) {
      this.delegate = delegate;
    }

    @Override
    public String id() {
      return delegate.id();
    }

    @Override
    public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
      delegate.buildGraph(graph, encoder);
    }

    @Override
    public Map<String, Object> config() {
      return delegate.config();
    }
  }
}
