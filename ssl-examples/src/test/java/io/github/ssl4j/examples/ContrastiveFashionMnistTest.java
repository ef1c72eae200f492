package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test: the W1 (SimCLR) example runs end to end on the bundled sample with tiny limits. */
class ContrastiveFashionMnistTest {
  @TempDir Path out;

  @Test
  void runsOnBundledSampleAndWritesEverything() throws Exception {
    ContrastiveFashionMnist.Result r =
        ContrastiveFashionMnist.run(
            "--data", SampleData.writeTo(out), "--train-limit", "512", "--test-limit", "200",
            "--epochs", "1", "--batch", "64", "--ft-repeats", "2", "--ft-epochs", "2", "--labels-per-class", "5",
            "--probe-iterations", "100", "--out", out.toString());

    assertEquals(512, r.trainImages());
    assertEquals(200, r.testImages());
    assertEquals(1 * (512 / 64), r.steps()); // the incomplete last batch is dropped
    assertEquals(50, r.fewLabels()); // 5 per class, 10 classes
    // NT-Xent of an untrained network over 2N = 128 views is near log(2N - 1) = log(127)
    assertTrue(Math.abs(r.firstLoss() - Math.log(127)) < 0.5, "first loss " + r.firstLoss());
    assertTrue(Double.isFinite(r.finalLoss()), "final loss " + r.finalLoss());
    assertTrue(r.imagesPerSecond() > 0, "images/s " + r.imagesPerSecond());
    for (double a :
        new double[] {
          r.knnPretrained(), r.knnRandom(), r.probePretrained(), r.probeRandom(),
          r.probeFewPretrained(), r.probeFewRandom(), r.fineTunePretrained(), r.fineTuneScratch(),
          r.fineTunePretrainedMacroF1(), r.fineTuneScratchMacroF1()
        }) {
      assertTrue(a >= 0 && a <= 1, "accuracy/F1 outside [0, 1]: " + r);
    }
    // two repeats (seeds 42, 43); the reported fine-tune and scratch figures are their means
    assertEquals(2, r.fewLabel().runs().size());
    assertEquals(List.of(42L, 43L), r.fewLabel().runs().stream().map(EncoderEvaluation.FewLabelRun::seed).toList());
    assertEquals((r.fewLabel().runs().get(0).fineTune() + r.fewLabel().runs().get(1).fineTune()) / 2,
        r.fineTunePretrained(), 1e-12);
    assertEquals((r.fewLabel().runs().get(0).scratch() + r.fewLabel().runs().get(1).scratch()) / 2,
        r.fineTuneScratch(), 1e-12);
    assertEquals(EncoderEvaluation.HEAD_WARMUP_EPOCHS, r.fewLabel().headWarmupEpochs());
    // chance is 10 %; a kNN on the 128-d CNN representation of Fashion-MNIST does far better
    assertTrue(r.knnPretrained() > 0.2, "kNN accuracy " + r.knnPretrained());
    assertEquals(100, r.probeIterations());
    assertTrue(r.seconds().total() >= r.seconds().pretrain(), "seconds " + r.seconds());

    assertTrue(Files.size(out.resolve("encoder.zip")) > 0);
    List<String> csv = Files.readAllLines(out.resolve("loss-history.csv"));
    assertEquals(1 + r.steps(), csv.size(), "header + one line per step");

    Path png = out.resolve("loss-curve.png");
    assertTrue(Files.size(png) > 0);
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "loss-curve.png does not decode as an image");
    assertTrue(image.getWidth() > 100 && image.getHeight() > 100);

    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    for (String field :
        new String[] {
          "data", "trainImages", "testImages", "epochs", "steps", "firstLoss", "finalLoss",
          "imagesPerSecond", "knnPretrained", "knnRandom", "probePretrained", "probeRandom",
          "probeFewPretrained", "probeFewRandom", "fineTunePretrained", "fineTuneScratch",
          "fineTunePretrainedMacroF1", "fineTuneScratchMacroF1", "fewLabel", "encoderFile", "lossCurveFile"
        }) {
      assertTrue(json.has(field), "results.json lacks " + field + ": " + json);
    }
    for (String phase : new String[] {"load", "pretrain", "embed", "knn", "probe", "total"}) {
      assertTrue(json.path("seconds").has(phase), "results.json lacks seconds." + phase);
    }
    assertEquals(r.steps(), json.get("steps").asLong());
  }

  @Test
  void rejectsBadOptionsBeforeTraining() throws Exception {
    String data = SampleData.writeTo(out);
    assertThrows(IllegalStateException.class,
        () -> ContrastiveFashionMnist.run("--batch", "1", "--out", out.toString()));
    assertThrows(IllegalStateException.class,
        () -> ContrastiveFashionMnist.run("--temperature", "0", "--out", out.toString()));
    // the sample has far fewer than 500 images of a class among its first 512
    assertThrows(IllegalStateException.class,
        () -> ContrastiveFashionMnist.run("--data", data, "--train-limit", "512",
            "--labels-per-class", "500", "--out", out.toString()));
    assertFalse(Files.exists(out.resolve("results.json")));
    assertFalse(Files.exists(out.resolve("checkpoints")));
  }
}
