package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test: the main example runs end to end on the bundled sample with tiny limits. */
class DenoisingFashionMnistTest {
  @TempDir Path out;

  @Test
  void runsOnBundledSampleAndLearnsSomething() throws Exception {
    FashionMnist sample = FashionMnist.sample(-1, -1);
    assertEquals(10000, sample.train().size());
    assertEquals(2000, sample.test().size());

    DenoisingFashionMnist.Result r =
        DenoisingFashionMnist.run(
            "--data", SampleData.writeTo(out), "--epochs", "2", "--train-limit", "1000", "--test-limit", "300",
            "--out", out.toString());
    assertEquals(1000, r.trainImages());
    assertEquals(300, r.testImages());
    assertEquals(2 * (1000 / 128), r.pretraining().steps());
    assertTrue(r.pretraining().finalLoss() < r.pretraining().firstLoss(), "loss should fall: " + r);
    // chance is 10 %: a kNN on any sensible 64-d representation of Fashion-MNIST does far better
    assertTrue(r.evaluation().knnPretrained() > 0.5, "kNN accuracy " + r.evaluation().knnPretrained());
    assertTrue(r.evaluation().probePretrained() > 0.5, "probe accuracy " + r.evaluation().probePretrained());
    assertTrue(Files.size(out.resolve("encoder.zip")) > 0);
    assertTrue(Files.readString(out.resolve("results.json")).contains("knnPretrained"));
    assertTrue(Files.exists(out.resolve("loss-history.csv")));
  }

  @Test
  void missingDataDirectorySaysHowToGetIt() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> FashionMnist.load(out.resolve("nowhere"), -1, -1));
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
  }
}
