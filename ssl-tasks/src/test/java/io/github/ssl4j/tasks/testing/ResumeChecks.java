package io.github.ssl4j.tasks.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Crash-mid-epoch-and-resume check for a stateful task: an uninterrupted run and a run that throws
 * inside DL4J's fit at a given iteration, then is resumed from its newest checkpoint, must end with
 * bit-identical parameters, loss history and method state ({@code method-state.bin} of the last
 * checkpoint: teacher, queue, ...).
 */
public final class ResumeChecks {
  private ResumeChecks() {}

  /** Throws inside fit at the given iteration, like a crash. */
  private static final class Crash extends BaseTrainingListener {
    private final int at;

    Crash(int at) {
      this.at = at;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      if (iteration == at) {
        throw new IllegalStateException("simulated crash at iteration " + iteration);
      }
    }
  }

  /**
   * @param config run settings without checkpoint directory (steps, batch, data type, seed)
   * @param checkpointEvery steps between checkpoints of the crashed run
   * @param crashAtIteration DL4J iteration (0-based) inside which the crashed run throws
   * @return the uninterrupted run's result
   */
  public static TrainingResult resumedRunIsBitIdentical(PretextTask task, Encoder encoder,
      ExampleSource data, TrainingConfig config, int checkpointEvery, int crashAtIteration, Path tmp)
      throws IOException {
    Path reference = tmp.resolve("reference");
    TrainingResult a = new Trainer(config.toBuilder().checkpointDir(reference).build()).fit(task, encoder, data);
    Path dir = tmp.resolve("crashed");
    TrainingConfig withCheckpoints =
        config.toBuilder().checkpointDir(dir).checkpointEverySteps(checkpointEvery).build();
    TrainingConfig crashing = withCheckpoints.toBuilder().listeners(new Crash(crashAtIteration)).build();
    IllegalStateException crash = assertThrows(IllegalStateException.class,
        () -> new Trainer(crashing).fit(task, encoder, data));
    assertTrue(String.valueOf(crash.getMessage()).contains("simulated crash"), crash.toString());
    TrainingResult b = new Trainer(withCheckpoints).resume(dir, task, encoder, data);
    assertEquals(a.steps(), b.steps());
    assertArrayEquals(a.graph().params().data().asDouble(), b.graph().params().data().asDouble(),
        "resumed parameters must equal the uninterrupted run's bit for bit");
    assertEquals(a.history().stream().map(r -> r.loss()).toList(),
        b.history().stream().map(r -> r.loss()).toList(), "loss history");
    byte[] expected = methodState(reference.resolve("checkpoint-" + a.steps() + ".zip"));
    byte[] actual = methodState(dir.resolve("checkpoint-" + b.steps() + ".zip"));
    assertArrayEquals(expected, actual, "method state (teacher, queue) must be bit-identical");
    return a;
  }

  /** The bytes of a checkpoint's method-state entry. */
  public static byte[] methodState(Path checkpoint) throws IOException {
    try (ZipFile zip = new ZipFile(checkpoint.toFile())) {
      ZipEntry e = zip.getEntry("method-state.bin");
      assertNotNull(e, checkpoint + " has no method-state.bin");
      try (InputStream in = zip.getInputStream(e)) {
        return in.readAllBytes();
      }
    }
  }
}
