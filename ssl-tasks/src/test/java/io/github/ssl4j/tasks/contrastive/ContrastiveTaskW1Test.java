package io.github.ssl4j.tasks.contrastive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.core.data.ArraySource;
import org.junit.jupiter.api.Test;

/** The real W1 configuration (W1 encoder, head, augmentations, temperature) through the trainer. */
class ContrastiveTaskW1Test {
  @Test
  void w1TaskTrainsWithTheW1EncoderThroughTheTrainer() {
    ContrastiveTask task = ContrastiveTask.simclr();
    TrainingConfig config = TrainingConfig.builder(16).maxSteps(3).seed(1).progressBar(false).build();
    TrainingResult result =
        new Trainer(config).fit(task, ConvEncoder.small(28, 28, 1), new ArraySource(TestData.images(32, 1, 28, 28, 5)));

    assertEquals(3, result.steps());
    double first = result.history().get(0).loss();
    // NT-Xent over 2N = 32 views starts near log(2N - 1) = log(31) for an untrained network
    assertTrue(Math.abs(first - Math.log(31)) < 0.5, "first loss " + first + " vs log(31) = " + Math.log(31));
    assertTrue(Double.isFinite(result.finalLoss()));
    assertArrayEquals(new long[] {32, 128},
        result.graph().feedForward(task.prepare(TestData.images(16, 1, 28, 28, 6), TestData.rng(7))
            .getFeatures(0), false).get(ConvEncoder.small(28, 28, 1).outputVertex()).shape());
  }
}
