package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.PretrainedEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Smoke test: the MAE example runs end to end on the bundled sample with tiny limits. */
class MaskedAutoencoderFashionMnistTest {
  @TempDir Path out;

  @Test
  void runsOnBundledSampleAndWritesEverything() throws Exception {
    String data = SampleData.writeTo(out);
    MaskedAutoencoderFashionMnist.Result r = MaskedAutoencoderFashionMnist.run(
        "--data", data, "--train-limit", "256", "--test-limit", "100",
        "--epochs", "1", "--batch", "64", "--patch", "7", "--ft-repeats", "1", "--ft-epochs", "1",
        "--labels-per-class", "2", "--probe-iterations", "20", "--out", out.toString());

    assertEquals(256, r.trainImages());
    ExampleReport.Pretraining p = r.pretraining();
    assertEquals(256 / 64, p.steps());
    // predicting 0 for normalised pixels costs (49 - 1) / 49 per pixel of a non-uniform patch and
    // 0 for a blank one; an untrained decoder starts in that range, and the loss stays finite
    assertTrue(p.firstLoss() > 0.1 && p.firstLoss() < 5, "first loss " + p.firstLoss());
    assertTrue(Double.isFinite(p.finalLoss()), "final loss " + p.finalLoss());
    assertTrue(r.evaluation().knnPretrained() >= 0 && r.evaluation().knnPretrained() <= 1);
    Path encoder = out.resolve("encoder.zip");
    assertTrue(Files.exists(encoder));
    assertEquals(128, PretrainedEncoder.load(encoder).embed(Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28)).size(1));
    // a patch size that does not divide 28 is refused before anything runs
    assertThrows(IllegalStateException.class, () -> MaskedAutoencoderFashionMnist.run(
        "--data", data, "--patch", "5", "--out", out.toString()));
  }
}
