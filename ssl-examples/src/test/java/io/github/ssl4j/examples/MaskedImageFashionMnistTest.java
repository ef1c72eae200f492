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
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test: the masked image example runs end to end on the bundled sample with tiny limits. */
class MaskedImageFashionMnistTest {
  @TempDir Path out;

  @Test
  void runsOnBundledSampleAndWritesEverything() throws Exception {
    MaskedImageFashionMnist.Result r =
        MaskedImageFashionMnist.run(
            "--data", SampleData.writeTo(out), "--train-limit", "512", "--test-limit", "200",
            "--epochs", "2", "--batch", "64", "--ft-repeats", "1", "--ft-epochs", "2", "--labels-per-class", "5",
            "--probe-iterations", "100", "--out", out.toString());

    assertEquals(512, r.trainImages());
    assertEquals(200, r.testImages());
    ExampleReport.Pretraining p = r.pretraining();
    EncoderEvaluation.Outcome ev = r.evaluation();
    assertEquals(2 * (512 / 64), p.steps());
    assertEquals(50, ev.fewLabels());
    // 16 steps of inpainting must beat predicting the mean training image on the hidden pixels
    InpaintingEvaluation.Mse mse = r.testMaskedPixelMse();
    assertTrue(mse.model() < mse.meanImage(), "masked-pixel MSE " + mse.model() + " vs mean image " + mse.meanImage());
    assertTrue(p.finalLoss() < p.firstLoss(), "loss " + p.firstLoss() + " -> " + p.finalLoss());
    for (double a :
        new double[] {
          ev.knnPretrained(), ev.knnRandom(), ev.probePretrained(), ev.probeRandom(),
          ev.probeFewPretrained(), ev.probeFewRandom(), ev.fineTunePretrained(), ev.fineTuneScratch()
        }) {
      assertTrue(a >= 0 && a <= 1, "accuracy outside [0, 1]: " + r);
    }
    assertEquals(1, ev.fewLabel().runs().size());
    assertEquals(ev.fewLabel().runs().get(0).fineTune(), ev.fineTunePretrained(), 0);
    assertEquals(0, ev.fewLabel().fineTuneSd(), 0); // one repeat
    assertTrue(ev.knnPretrained() > 0.2, "kNN accuracy " + ev.knnPretrained());

    BufferedImage grid = ImageIO.read(out.resolve("reconstructions.png").toFile());
    assertNotNull(grid, "reconstructions.png does not decode as an image");
    assertEquals(4 * (28 * 3 + 4) + 4, grid.getHeight()); // original, masked, inpainted, output
    assertEquals(10 * (28 * 3 + 4) + 4, grid.getWidth());
    assertNotNull(ImageIO.read(out.resolve("loss-curve.png").toFile()));
    assertTrue(Files.size(out.resolve("encoder.zip")) > 0);

    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertEquals(mse.model(), json.path("testMaskedPixelMse").get("model").asDouble(), 0);
    assertEquals(mse.meanImage(), json.path("testMaskedPixelMse").get("meanImage").asDouble(), 0);
    for (String field : new String[] {"probePretrained", "probeRandom", "fineTunePretrained", "fineTuneScratch", "fewLabel"}) {
      assertTrue(json.path("evaluation").has(field), "results.json lacks evaluation." + field + ": " + json);
    }
    assertEquals(4, json.get("patch").asInt());
  }

  @Test
  void rejectsBadOptionsBeforeTraining() {
    assertThrows(IllegalStateException.class,
        () -> MaskedImageFashionMnist.run("--patch", "5", "--out", out.toString()));
    assertThrows(IllegalStateException.class,
        () -> MaskedImageFashionMnist.run("--mask-ratio", "1", "--out", out.toString()));
    assertFalse(Files.exists(out.resolve("results.json")));
    assertFalse(Files.exists(out.resolve("checkpoints")));
  }
}
