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

/** Smoke test: the next-frame example runs end to end on the bundled sample with tiny limits. */
class NextFrameMovingFashionMnistTest {
  @TempDir Path out;

  @Test
  void runsOnBundledSampleAndWritesEverything() throws Exception {
    NextFrameMovingFashionMnist.Result r = NextFrameMovingFashionMnist.run(
        "--data", SampleData.writeTo(out), "--sequences", "32", "--epochs", "1", "--test-sequences", "20",
        "--rollout-sequences", "4", "--probe-train", "1000", "--probe-test", "100", "--ft-epochs", "1",
        "--clip-train", "200", "--clip-test", "20", "--clip-labels-per-class", "1", "--clip-ft-epochs", "1",
        "--clip-repeats", "1", "--clip-head-warmup-epochs", "2",
        "--out", out.toString());

    assertEquals(2, r.pretraining().steps());
    assertEquals(32, r.trainSequences());
    assertTrue(r.pretraining().finalLoss() < r.pretraining().firstLoss(), "loss " + r.pretraining());
    assertEquals(20, r.frames().testSequences());
    assertEquals(4, r.frames().rolloutSequences());
    for (NextFrameEvaluation.FrameScores f : new NextFrameEvaluation.FrameScores[] {r.frames().frame11(), r.frames().rollout10()}) {
      assertTrue(f.mse() > 0 && f.mse() <= 64 * 64, "MSE summed over a 64x64 frame in [0, 1]: " + f);
      assertTrue(f.copyLastMse() > 0 && f.copyLastMse() <= 64 * 64, f.toString());
      assertTrue(f.ssim() >= -1 && f.ssim() <= 1 && f.copyLastSsim() > 0 && f.copyLastSsim() < 1, f.toString());
    }
    assertTrue(r.clipTask().fineTuneScratch() >= 0 && r.clipTask().probePretrained() <= 1, "clip task " + r.clipTask());
    assertEquals(2, r.clipTask().fewLabel().headWarmupEpochs());
    EncoderEvaluation.Outcome ev = r.evaluation();
    for (double a : new double[] {ev.probePretrained(), ev.probeRandom(), ev.knnPretrained(), ev.knnRandom(),
        ev.fineTunePretrained(), ev.fineTuneScratch()}) {
      assertTrue(a >= 0 && a <= 1, "accuracy outside [0, 1]: " + r);
    }

    BufferedImage strip = ImageIO.read(out.resolve("predictions.png").toFile());
    assertNotNull(strip, "predictions.png does not decode as an image");
    assertEquals(2 * 4 * (64 + 4) + 4, strip.getHeight()); // 2 sequences x (context, truth, rollout, forced)
    assertEquals(10 * (64 + 4) + 4, strip.getWidth());
    assertNotNull(ImageIO.read(out.resolve("loss-curve.png").toFile()));
    assertTrue(Files.size(out.resolve("encoder.zip")) > 0);
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertEquals(r.frames().frame11().copyLastMse(), json.path("frames").path("frame11").path("copyLastMse").asDouble(), 0,
        json.toString());
  }

  @Test
  void rejectsBadOptionsBeforeTraining() {
    assertThrows(IllegalStateException.class,
        () -> NextFrameMovingFashionMnist.run("--sequences", "4", "--out", out.toString()));
    assertThrows(IllegalStateException.class,
        () -> NextFrameMovingFashionMnist.run("--probe-train", "100", "--out", out.toString()));
    assertFalse(Files.exists(out.resolve("results.json")));
    assertFalse(Files.exists(out.resolve("checkpoints")));
  }
}
