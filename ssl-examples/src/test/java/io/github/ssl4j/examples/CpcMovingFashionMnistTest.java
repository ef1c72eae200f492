package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test: the CPC example runs end to end on the bundled sample with tiny limits. */
class CpcMovingFashionMnistTest {
  @TempDir Path out;

  @Test
  void runsOnBundledSampleAndEvaluatesClipsAndImages() throws Exception {
    // 70 test clips: the fine-tuned clip network predicts them in batches of 60 and 10, neither the
    // size of its training minibatch (20 labelled clips); ClipEncoderTest checks the values of that case
    CpcMovingFashionMnist.Result r = CpcMovingFashionMnist.run(
        "--data", SampleData.writeTo(out), "--sequences", "32", "--epochs", "1", "--batch", "16",
        "--probe-train", "1000", "--probe-test", "100", "--ft-epochs", "1",
        "--clip-train", "200", "--clip-test", "70", "--clip-labels-per-class", "2", "--clip-ft-epochs", "2",
        "--clip-repeats", "2", "--clip-head-warmup-epochs", "2",
        "--out", out.toString());

    assertEquals(2, r.pretraining().steps());
    assertEquals(32, r.trainSequences());
    // InfoNCE over 16 clips x 11 frames: an untrained network scores near log(176)
    assertTrue(Math.abs(r.pretraining().firstLoss() - Math.log(176)) < 1.5, "first loss " + r.pretraining());
    EncoderEvaluation.Outcome clips = r.clipTask();
    assertEquals(20, clips.fewLabels());
    assertEquals(2, clips.fewLabel().runs().size());
    assertEquals(2, clips.fewLabel().headWarmupEpochs());
    for (EncoderEvaluation.FewLabelRun run : clips.fewLabel().runs()) {
      for (double a : new double[] {run.fineTune(), run.fineTuneNoWarmup(), run.scratch(), run.probePretrained(),
          run.probeRandom()}) {
        assertTrue(a >= 0 && a <= 1, "accuracy outside [0, 1]: " + run);
      }
    }
    EncoderEvaluation.Outcome images = r.singleImages();
    for (double a : new double[] {images.probePretrained(), images.probeRandom(), images.knnPretrained(),
        images.fineTunePretrained(), images.fineTuneScratch()}) {
      assertTrue(a >= 0 && a <= 1, "accuracy outside [0, 1]: " + r);
    }
    assertTrue(Files.size(out.resolve("encoder.zip")) > 0);
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertEquals(2, json.path("clipTask").path("fewLabel").path("runs").size(), json.toString());
  }
}
