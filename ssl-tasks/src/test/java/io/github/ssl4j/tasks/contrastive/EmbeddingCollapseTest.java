package io.github.ssl4j.tasks.contrastive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.train.DivergenceException;
import io.github.ssl4j.core.train.DivergenceLimits;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The embedding-spread check ({@link DivergenceLimits#embeddingCheckEverySteps()}) stops a
 * contrastive run whose embeddings all point the same way, on its own (the chance-level and
 * parameter checks off), and leaves a healthy run alone.
 */
class EmbeddingCollapseTest {
  private static final int N = 4;

  @TempDir Path tmp;

  /** An encoder whose output is 0 for every input: a dense ReLU layer with zero weights and bias -1 (dead). */
  private record DeadEncoder() implements Encoder {
    static final String DENSE = VertexNames.encoder("dead");

    @Override
    public InputType inputType() {
      return InputType.convolutional(8, 8, 1);
    }

    @Override
    public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
      graph.addLayer(DENSE, new DenseLayer.Builder().nOut(8).activation(Activation.RELU).weightInit(WeightInit.ZERO)
          .biasInit(-1).build(), input);
      return DENSE;
    }

    @Override
    public InputType outputType() {
      return InputType.feedForward(8);
    }

    @Override
    public List<String> blockOutputs() {
      return List.of(DENSE);
    }
  }

  /** Only the embedding-spread check, measuring at every step. */
  private static DivergenceLimits spreadOnly(int checks) {
    return DivergenceLimits.defaults().withMaxAbsParameter(Double.POSITIVE_INFINITY).withChanceLoss(0, 0)
        .withEmbeddingSpread(1, 1e-4, checks);
  }

  @Test
  void anEncoderWithConstantOutputIsCaught() {
    TrainingConfig cfg = TrainingConfig.builder(N).epochs(5).updater(new Adam(1e-3)).divergenceLimits(spreadOnly(3))
        .progressBar(false).logEverySteps(0).build();
    DivergenceException e = assertThrows(DivergenceException.class, () -> new Trainer(cfg)
        .fit(ContrastiveTask.simclr(), new DeadEncoder(), new ArraySource(TestData.images(8, 1, 8, 8, 3))));
    assertEquals(DivergenceException.Reason.EMBEDDING_COLLAPSE, e.reason(), e.getMessage());
    assertEquals(3, e.step(), e.getMessage());
    assertTrue(e.value() <= 1e-4, "spread " + e.value());
    assertTrue(e.getMessage().contains("the embeddings collapsed") && e.getMessage().contains("3 consecutive checks")
        && e.getMessage().contains(ContrastiveTask.simclr().embeddingVertex().orElseThrow())
        && e.getMessage().contains("DivergenceLimits.minEmbeddingSpread"), e.getMessage());
  }

  @Test
  void aLearningRateSpikeIsCaughtByTheSpreadAloneAndTheLastGoodCheckpointNamed() {
    Path dir = tmp.resolve("spike");
    MapSchedule spike = new MapSchedule(ScheduleType.ITERATION, Map.of(0, 1e-3, 4, 1e6));
    // the spread falls from about 0.02 to 1e-5..1e-3 after the spike: how far depends on the noise
    // Adam turns into full steps (e.g. the convolution biases before batch norm, whose gradient is
    // zero up to rounding), which differs between the plain and the oneDNN-layout paths; bound 1e-3
    DivergenceLimits limits = DivergenceLimits.defaults().withMaxAbsParameter(Double.POSITIVE_INFINITY)
        .withChanceLoss(0, 0).withEmbeddingSpread(1, 1e-3, 2);
    TrainingConfig cfg = TrainingConfig.builder(N).epochs(10).updater(new Adam(1e-3)).learningRateSchedule(spike)
        .divergenceLimits(limits).checkpointDir(dir).checkpointEverySteps(2).progressBar(false)
        .logEverySteps(0).build();
    DivergenceException e = assertThrows(DivergenceException.class, () -> new Trainer(cfg)
        .fit(ContrastiveTask.simclr(), ConvEncoder.small(28, 28, 1), new ArraySource(TestData.images(8, 1, 28, 28, 5))));
    assertEquals(DivergenceException.Reason.EMBEDDING_COLLAPSE, e.reason(), e.getMessage());
    assertTrue(e.step() > 4 && e.step() <= 12, "stopped at step " + e.step() + ": " + e.getMessage());
    // the last checkpoint written while the spread was above the bound: checkpoint-4 (before the
    // spike) or checkpoint-6 (the spread falls below the bound a few steps after the spike); never a later one
    Path lastGood = e.lastGoodCheckpoint().orElseThrow();
    assertTrue(lastGood.equals(dir.resolve("checkpoint-4.zip")) || lastGood.equals(dir.resolve("checkpoint-6.zip")),
        e.getMessage());
    assertTrue(Files.isRegularFile(lastGood) && e.getMessage().contains(lastGood.getFileName().toString()),
        e.getMessage());
    for (long s = e.step() - e.step() % 2; s > 6; s -= 2) {
      assertFalse(Files.exists(dir.resolve("checkpoint-" + s + ".zip")), "checkpoint-" + s + " written while collapsed");
    }
  }

  @Test
  void aHealthyRunIsNotStopped() {
    TrainingConfig cfg = TrainingConfig.builder(N).epochs(3).updater(new Adam(1e-3)).divergenceLimits(spreadOnly(1))
        .progressBar(false).logEverySteps(0).build();
    TrainingResult r = new Trainer(cfg).fit(ContrastiveTask.simclr(), TestData.tinyConv(8, 8, 1, 4),
        new ArraySource(TestData.images(8, 1, 8, 8, 3)));
    assertEquals(6, r.steps());
  }

  @Test
  void measuringTheSpreadDoesNotChangeTraining() {
    // batch normalisation and augmentation: the inference passes of the check must leave the
    // parameters, the running statistics and the random streams exactly as they were
    TrainingConfig.Builder cfg = TrainingConfig.builder(N).epochs(2).updater(new Adam(1e-3)).progressBar(false)
        .logEverySteps(0);
    ArraySource data = new ArraySource(TestData.images(8, 1, 28, 28, 5));
    TrainingResult checked = new Trainer(cfg.divergenceLimits(spreadOnly(1000)).build())
        .fit(ContrastiveTask.simclr(), ConvEncoder.small(28, 28, 1), data);
    TrainingResult unchecked = new Trainer(cfg.divergenceLimits(DivergenceLimits.defaults()
        .withEmbeddingSpread(0, 1e-4, 3)).build()).fit(ContrastiveTask.simclr(), ConvEncoder.small(28, 28, 1), data);
    assertArrayEquals(unchecked.graph().params().data().asDouble(), checked.graph().params().data().asDouble(), 0);
    assertArrayEquals(unchecked.graph().getUpdater().getStateViewArray().data().asDouble(),
        checked.graph().getUpdater().getStateViewArray().data().asDouble(), 0);
  }
}
