package io.github.ssl4j.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.MlpEncoder;
import io.github.ssl4j.core.tasks.DenoisingAutoencoderTask;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** TrainingConfig.workers(n): data-parallel steps through ParallelWrapper in one JVM. */
class DataParallelTrainingTest {
  @TempDir Path tmp;

  private static PretextTask task() {
    return DenoisingAutoencoderTask.builder(DenoisingAutoencoderTask.Noise.gaussian(0.2)).build();
  }

  private static Encoder encoder() {
    return MlpEncoder.builder(8).hiddenWidths(16, 4).build();
  }

  /** 96 examples of width 8 on a plane an autoencoder can learn. */
  private static ArraySource data() {
    Random r = new Random(7);
    double[] v = new double[96 * 8];
    for (int i = 0; i < 96; i++) {
      double a = r.nextGaussian();
      double b = r.nextGaussian();
      for (int j = 0; j < 8; j++) {
        v[i * 8 + j] = (j % 2 == 0 ? a : b) * (1 + 0.1 * j) + 0.05 * r.nextGaussian();
      }
    }
    return new ArraySource(Nd4j.create(v, new long[] {96, 8}, DataType.DOUBLE));
  }

  private static TrainingConfig.Builder config(int workers) {
    return TrainingConfig.builder(16).epochs(4).seed(5).dataType(DataType.DOUBLE).updater(new Adam(1e-2))
        .workers(workers).progressBar(false).logEverySteps(0);
  }

  private static double mean(List<LossRecord> h, int from, int to) {
    return h.subList(from, to).stream().mapToDouble(LossRecord::loss).average().orElseThrow();
  }

  @Test
  void twoWorkersLowerTheLossLikeOneWorker() {
    TrainingResult one = new Trainer(config(1).build()).fit(task(), encoder(), data());
    TrainingResult two = new Trainer(config(2).build()).fit(task(), encoder(), data());
    assertEquals(24, two.steps());
    List<LossRecord> h = two.history();
    double first = mean(h, 0, 3);
    double last = mean(h, 21, 24);
    assertTrue(last < 0.8 * first, "two workers: loss " + first + " -> " + last);
    double lastOne = mean(one.history(), 21, 24);
    assertTrue(last < 1.5 * lastOne, "two workers end at " + last + ", one worker at " + lastOne);
    // the returned graph is the trained one (replica 0), not a copy left at the initial weights
    assertNotEquals(0.0, two.graph().params().sub(one.graph().params()).norm2Number().doubleValue());
    assertEquals(4, two.pretrainedEncoder().embed(data().data().getRows(0, 1, 2)).size(1));
  }

  /**
   * With several workers DL4J's ParallelWrapper does not make steps bit-reproducible
   * (docs/scaling-out.md), so resume is checked for what it guarantees: it starts from the
   * checkpoint's exact state and counters, keeps the history before it, and trains on.
   */
  @Test
  void resumeWithTwoWorkersContinuesFromTheCheckpoint() {
    Path dir = tmp.resolve("run");
    TrainingResult first = new Trainer(config(2).maxSteps(10).checkpointDir(dir).build()).fit(task(), encoder(), data());
    TrainingResult resumed = new Trainer(config(2).checkpointDir(dir).build()).resume(dir, task(), encoder(), data());
    assertEquals(24, resumed.steps());
    assertEquals(first.history(), resumed.history().subList(0, 10));
    assertEquals(11, resumed.history().get(10).step());
    double atCheckpoint = mean(first.history(), 7, 10);
    assertTrue(mean(resumed.history(), 21, 24) < atCheckpoint,
        "loss after resume " + mean(resumed.history(), 21, 24) + " vs " + atCheckpoint + " at the checkpoint");
  }

  @Test
  void aCheckpointOfOneWorkerDoesNotResumeWithTwo() {
    Path dir = tmp.resolve("one");
    new Trainer(config(1).maxSteps(4).checkpointDir(dir).build()).fit(task(), encoder(), data());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(config(2).build()).resume(dir, task(), encoder(), data()));
    assertTrue(e.getMessage().contains("different configuration"), e.getMessage());
  }

  @Test
  void aBatchThatDoesNotSplitEvenlyIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingConfig.builder(10).workers(3).build());
    assertTrue(e.getMessage().contains("not divisible by workers 3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder(10).workers(0));
  }
}
