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

/** Smoke test: the W2 (masked image) example runs end to end on the bundled sample with tiny limits. */
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
    assertEquals(2 * (512 / 64), r.steps());
    assertEquals(50, r.fewLabels());
    // 16 steps of inpainting must beat predicting the mean training image on the hidden pixels
    assertTrue(r.testMaskedPixelMse() < r.meanImageMaskedPixelMse(),
        "masked-pixel MSE " + r.testMaskedPixelMse() + " vs mean image " + r.meanImageMaskedPixelMse());
    assertTrue(r.finalLoss() < r.firstLoss(), "loss " + r.firstLoss() + " -> " + r.finalLoss());
    for (double a :
        new double[] {
          r.knnPretrained(), r.knnRandom(), r.probePretrained(), r.probeRandom(),
          r.probeFewPretrained(), r.probeFewRandom(), r.fineTunePretrained(), r.fineTuneScratch()
        }) {
      assertTrue(a >= 0 && a <= 1, "accuracy outside [0, 1]: " + r);
    }
    assertEquals(1, r.fewLabel().runs().size());
    assertEquals(r.fewLabel().runs().get(0).fineTune(), r.fineTunePretrained(), 0);
    assertEquals(0, r.fewLabel().fineTuneSd(), 0); // one repeat
    assertTrue(r.knnPretrained() > 0.2, "kNN accuracy " + r.knnPretrained());

    BufferedImage grid = ImageIO.read(out.resolve("reconstructions.png").toFile());
    assertNotNull(grid, "reconstructions.png does not decode as an image");
    assertEquals(4 * (28 * 3 + 4) + 4, grid.getHeight()); // original, masked, inpainted, output
    assertEquals(10 * (28 * 3 + 4) + 4, grid.getWidth());
    assertNotNull(ImageIO.read(out.resolve("loss-curve.png").toFile()));
    assertTrue(Files.size(out.resolve("encoder.zip")) > 0);

    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    for (String field :
        new String[] {"testMaskedPixelMse", "meanImageMaskedPixelMse", "probePretrained", "probeRandom",
          "fineTunePretrained", "fineTuneScratch", "fewLabel", "reconstructionsFile"}) {
      assertTrue(json.has(field), "results.json lacks " + field + ": " + json);
    }
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
