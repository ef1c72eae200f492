package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke tests: the SimSiam, Barlow Twins and VICReg examples run end to end on the bundled sample. */
class NonContrastiveExamplesTest {
  @TempDir Path out;

  private String[] tiny(String... extra) throws Exception {
    String[] base = {"--data", SampleData.writeTo(out), "--train-limit", "128", "--test-limit", "50", "--epochs", "1",
        "--batch", "32", "--ft-repeats", "1", "--ft-epochs", "1", "--head-warmup-epochs", "1", "--labels-per-class", "2",
        "--probe-iterations", "5", "--out", out.toString()};
    String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  private void checkRun(ExampleReport.Pretraining p, EncoderEvaluation.Outcome ev) throws Exception {
    assertEquals(128 / 32, p.steps()); // the incomplete last batch is dropped
    assertTrue(Double.isFinite(p.firstLoss()) && Double.isFinite(p.finalLoss()), p.toString());
    for (double a : new double[] {ev.knnPretrained(), ev.knnRandom(), ev.probePretrained(), ev.fineTunePretrained()}) {
      assertTrue(a >= 0 && a <= 1, "accuracy outside [0, 1]: " + ev);
    }
    assertTrue(Files.size(out.resolve("encoder.zip")) > 0);
    assertTrue(Files.exists(out.resolve("results.json")));
  }

  @Test
  void simSiamRuns() throws Exception {
    SimSiamFashionMnist.Result r = SimSiamFashionMnist.run(tiny());
    checkRun(r.pretraining(), r.evaluation());
    assertTrue(r.pretraining().firstLoss() >= -1 && r.pretraining().firstLoss() <= 1, "negative cosine in [-1, 1]");
  }

  @Test
  void barlowTwinsRuns() throws Exception {
    BarlowTwinsFashionMnist.Result r = BarlowTwinsFashionMnist.run(tiny("--lambda", "0.01"));
    checkRun(r.pretraining(), r.evaluation());
    assertEquals(0.01, r.lambda());
    // below the collapse level: the 512 diagonal terms at 1 each, the off-diagonal ones besides
    assertTrue(r.pretraining().firstLoss() > 0 && r.pretraining().firstLoss() < 512 * 1.5, "" + r.pretraining());
  }

  @Test
  void vicRegRunsAndRejectsBadWeights() throws Exception {
    VicRegFashionMnist.Result r = VicRegFashionMnist.run(tiny());
    checkRun(r.pretraining(), r.evaluation());
    assertTrue(r.pretraining().firstLoss() > 0, "" + r.pretraining());
    Path fresh = out.resolve("rejected");
    assertThrows(IllegalStateException.class,
        () -> VicRegFashionMnist.run("--weights", "25,25", "--out", fresh.toString()));
    assertThrows(IllegalStateException.class,
        () -> BarlowTwinsFashionMnist.run("--lambda", "-1", "--out", fresh.toString()));
    assertFalse(Files.exists(fresh.resolve("results.json")));
  }
}
