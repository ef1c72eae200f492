package io.github.ssl4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** The trainer drives a task's MethodState, checkpoints it and restores it exactly on resume. */
class MethodStateTrainerTest {
  private static final Encoder ENCODER = new TinyMlpEncoder(8, 16, 6);
  private static final TeacherReconstructTask TASK = new TeacherReconstructTask(0.1);

  @TempDir Path tmp;

  private static ExampleSource data() {
    Random r = new Random(7);
    double[] v = new double[64 * 8];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return new ArraySource(Nd4j.create(v, new long[] {64, 8}, DataType.DOUBLE));
  }

  private static TrainingConfig.Builder base() {
    return TrainingConfig.builder(6).epochs(2).dataType(DataType.DOUBLE).updater(new Adam(1e-2))
        .progressBar(false).logEverySteps(0);
  }

  private static final class Crash extends BaseTrainingListener {
    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      if (iteration == 7) {
        throw new IllegalStateException("simulated crash at iteration " + iteration);
      }
    }
  }

  @Test
  void crashedAndResumedRunEndsBitIdenticalWithTheMethodState() throws IOException {
    ExampleSource data = data();
    Path reference = tmp.resolve("reference");
    TrainingResult a = new Trainer(base().checkpointDir(reference).build()).fit(TASK, ENCODER, data);
    Path dir = tmp.resolve("crashed");
    TrainingConfig withCheckpoints = base().checkpointDir(dir).checkpointEverySteps(3).build();
    TrainingConfig crashing = withCheckpoints.toBuilder().listeners(new Crash()).build();
    assertThrows(IllegalStateException.class, () -> new Trainer(crashing).fit(TASK, ENCODER, data));
    TrainingResult b = new Trainer(withCheckpoints).resume(dir, TASK, ENCODER, data);

    assertArrayEquals(a.graph().params().data().asDouble(), b.graph().params().data().asDouble(),
        "resumed parameters must equal the uninterrupted run bit for bit");
    Map<String, INDArray> expected = methodState(Checkpoints.fileFor(reference, 20));
    Map<String, INDArray> actual = methodState(Checkpoints.fileFor(dir, 20));
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name).data().asDouble(), actual.get(name).data().asDouble(), name);
    }
    // the teacher lags the online graph: it is state of its own, not a copy
    assertNotEquals(a.graph().params(), expected.get("teacher"));
  }

  @Test
  void checkpointWithoutOrWithAlteredMethodStateIsRejected() throws IOException {
    Path dir = tmp.resolve("run");
    new Trainer(base().maxSteps(3).checkpointDir(dir).build()).fit(TASK, ENCODER, data());
    Path file = Checkpoints.fileFor(dir, 3);
    Path stripped = tmp.resolve("stripped/checkpoint-3.zip");
    Path altered = tmp.resolve("altered/checkpoint-3.zip");
    copyEntries(file, stripped, false);
    copyEntries(file, altered, true);
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().build()).resume(stripped, TASK, ENCODER, data()));
    assertTrue(missing.getMessage().contains("method-state.bin"), missing.getMessage());
    IllegalArgumentException corrupt = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base().build()).resume(altered, TASK, ENCODER, data()));
    assertTrue(corrupt.getMessage().contains("checksum"), corrupt.getMessage());
  }

  private static Map<String, INDArray> methodState(Path checkpoint) {
    byte[] bytes = Checkpoints.read(checkpoint).methodState();
    assertTrue(bytes != null, "checkpoint " + checkpoint + " has no method state");
    return MethodSteps.read(bytes);
  }

  /** Copies a checkpoint zip without its method state entry, or with one byte of it flipped. */
  private static void copyEntries(Path from, Path to, boolean flipMethodState) throws IOException {
    Files.createDirectories(to.getParent());
    try (ZipFile zip = new ZipFile(from.toFile());
        OutputStream os = Files.newOutputStream(to);
        ZipOutputStream out = new ZipOutputStream(os)) {
      for (ZipEntry e : List.copyOf(java.util.Collections.list(zip.entries()))) {
        byte[] bytes = zip.getInputStream(e).readAllBytes();
        if (e.getName().equals(Checkpoints.METHOD_STATE_ENTRY)) {
          if (!flipMethodState) {
            continue;
          }
          bytes[bytes.length - 1] ^= 1;
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(bytes);
        out.closeEntry();
      }
    }
  }
}
