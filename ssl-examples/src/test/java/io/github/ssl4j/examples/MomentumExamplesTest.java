package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke tests: the BYOL and MoCo v2 examples run end to end on the bundled sample with tiny limits. */
class MomentumExamplesTest {
  @TempDir Path out;

  private String[] args(String dir) throws Exception {
    return new String[] {"--data", SampleData.writeTo(out), "--train-limit", "256", "--test-limit", "100",
        "--epochs", "1", "--batch", "64", "--ft-repeats", "1", "--ft-epochs", "1", "--labels-per-class", "3",
        "--probe-iterations", "20", "--head-warmup-epochs", "1", "--out", out.resolve(dir).toString()};
  }

  @Test
  void byolRunsAndWritesTheEncoder() throws Exception {
    ByolFashionMnist.Result r = ByolFashionMnist.run(args("byol"));
    assertEquals(256 / 64, r.pretraining().steps());
    assertEquals(0.996, r.baseMomentum());
    // 2 - 2 cos lies in [0, 4]
    assertTrue(r.pretraining().firstLoss() >= 0 && r.pretraining().firstLoss() <= 4, "" + r.pretraining());
    assertTrue(Double.isFinite(r.pretraining().finalLoss()));
    assertTrue(r.evaluation().knnPretrained() >= 0 && r.evaluation().knnPretrained() <= 1);
    assertTrue(Files.size(out.resolve("byol/encoder.zip")) > 0);
  }

  @Test
  void mocoRunsAndWritesTheEncoder() throws Exception {
    String[] a = args("moco");
    String[] withQueue = java.util.Arrays.copyOf(a, a.length + 2);
    withQueue[a.length] = "--queue";
    withQueue[a.length + 1] = "128";
    MocoFashionMnist.Result r = MocoFashionMnist.run(withQueue);
    assertEquals(256 / 64, r.pretraining().steps());
    assertEquals(128, r.queue());
    // an untrained network against random unit keys: near ln(K + 1) = ln(129), well below 2 ln(129)
    assertTrue(r.pretraining().firstLoss() > 0 && r.pretraining().firstLoss() < 2 * Math.log(129),
        "" + r.pretraining());
    assertTrue(Double.isFinite(r.pretraining().finalLoss()));
    assertTrue(Files.size(out.resolve("moco/encoder.zip")) > 0);
  }
}
