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

/** Smoke test: the SimCLR example runs end to end on the bundled sample with tiny limits. */
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
    ExampleReport.Pretraining p = r.pretraining();
    EncoderEvaluation.Outcome ev = r.evaluation();
    assertEquals(1 * (512 / 64), p.steps()); // the incomplete last batch is dropped
    assertEquals(64, p.batch());
    assertEquals(50, ev.fewLabels()); // 5 per class, 10 classes
    // NT-Xent of an untrained network over 2N = 128 views is near log(2N - 1) = log(127)
    assertTrue(Math.abs(p.firstLoss() - Math.log(127)) < 0.5, "first loss " + p.firstLoss());
    assertTrue(Double.isFinite(p.finalLoss()), "final loss " + p.finalLoss());
    assertTrue(p.examplesPerSecond() > 0, "images/s " + p.examplesPerSecond());
    for (double a :
        new double[] {
          ev.knnPretrained(), ev.knnRandom(), ev.probePretrained(), ev.probeRandom(),
          ev.probeFewPretrained(), ev.probeFewRandom(), ev.fineTunePretrained(), ev.fineTuneScratch(),
          ev.fineTunePretrainedMacroF1(), ev.fineTuneScratchMacroF1()
        }) {
      assertTrue(a >= 0 && a <= 1, "accuracy/F1 outside [0, 1]: " + r);
    }
    // two repeats (seeds 42, 43); the reported fine-tune and scratch figures are their means
    assertEquals(2, ev.fewLabel().runs().size());
    assertEquals(List.of(42L, 43L), ev.fewLabel().runs().stream().map(EncoderEvaluation.FewLabelRun::seed).toList());
    assertEquals((ev.fewLabel().runs().get(0).fineTune() + ev.fewLabel().runs().get(1).fineTune()) / 2,
        ev.fineTunePretrained(), 1e-12);
    assertEquals((ev.fewLabel().runs().get(0).scratch() + ev.fewLabel().runs().get(1).scratch()) / 2,
        ev.fineTuneScratch(), 1e-12);
    assertEquals(EncoderEvaluation.HEAD_WARMUP_EPOCHS, ev.fewLabel().headWarmupEpochs());
    // each repeat also probes both frozen encoders on its own subset; repeat 0's subset is the reported one
    assertEquals(ev.probeFewPretrained(), ev.fewLabel().runs().get(0).probePretrained(), 0);
    assertEquals(ev.probeFewRandom(), ev.fewLabel().runs().get(0).probeRandom(), 0);
    for (EncoderEvaluation.FewLabelRun run : ev.fewLabel().runs()) {
      assertTrue(run.probePretrained() > 0.1 && run.probePretrained() <= 1, "probe on repeat's subset " + run);
    }
    assertTrue(ev.fewLabel().runs().get(0).probePretrained() != ev.fewLabel().runs().get(1).probePretrained()
        || ev.fewLabel().runs().get(0).probeRandom() != ev.fewLabel().runs().get(1).probeRandom(),
        "two different subsets gave identical probes: " + ev.fewLabel().runs());
    // chance is 10 %; a kNN on the 128-d CNN representation of Fashion-MNIST does far better
    assertTrue(ev.knnPretrained() > 0.2, "kNN accuracy " + ev.knnPretrained());
    assertEquals(100, ev.probeIterations());
    assertEquals(List.of("load", "pretrain", "evaluate", "total"), List.copyOf(r.seconds().keySet()));
    assertTrue(r.seconds().get("total") >= r.seconds().get("pretrain") + r.seconds().get("evaluate"),
        "seconds " + r.seconds());

    assertTrue(Files.size(out.resolve("encoder.zip")) > 0);
    List<String> csv = Files.readAllLines(out.resolve("loss-history.csv"));
    assertEquals(1 + p.steps(), csv.size(), "header + one line per step");

    Path png = out.resolve("loss-curve.png");
    assertTrue(Files.size(png) > 0);
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "loss-curve.png does not decode as an image");
    assertTrue(image.getWidth() > 100 && image.getHeight() > 100);

    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    for (String field : new String[] {"data", "trainImages", "testImages", "temperature", "pretraining", "evaluation"}) {
      assertTrue(json.has(field), "results.json lacks " + field + ": " + json);
    }
    for (String field : new String[] {"epochs", "batch", "steps", "firstLoss", "finalLoss", "examplesPerSecond"}) {
      assertTrue(json.path("pretraining").has(field), "results.json lacks pretraining." + field + ": " + json);
    }
    for (String field :
        new String[] {
          "knnPretrained", "knnRandom", "probePretrained", "probeRandom", "probeFewPretrained", "probeFewRandom",
          "fineTunePretrained", "fineTuneScratch", "fineTunePretrainedMacroF1", "fineTuneScratchMacroF1", "fewLabel",
          "embedSeconds", "knnSeconds", "probeSeconds"
        }) {
      assertTrue(json.path("evaluation").has(field), "results.json lacks evaluation." + field + ": " + json);
    }
    for (String phase : new String[] {"load", "pretrain", "evaluate", "total"}) {
      assertTrue(json.path("seconds").has(phase), "results.json lacks seconds." + phase);
    }
    assertEquals(p.steps(), json.path("pretraining").get("steps").asLong());
    assertEquals(ev.knnPretrained(), json.path("evaluation").get("knnPretrained").asDouble(), 0);
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
