package io.github.ssl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * W1StepDump writes what w1-step-vs-peer.py reads, and the files agree with each other: the first
 * Adam step moves every weight by at most the learning rate, against the dumped gradient's sign.
 */
class W1StepDumpTest {
  @TempDir Path out;

  @Test
  void dumpsStepsWhoseFirstUpdateFollowsTheDumpedGradient() throws Exception {
    int code = new CommandLine(new W1StepDump())
        .execute("--out", out.toString(), "--dtype", "float", "--steps", "2", "--seed", "3");
    assertEquals(0, code);
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals(2, m.get("losses").size());
    // NT-Xent of an untrained network over 2N = 512 views is near log(511)
    assertEquals(Math.log(511), m.get("losses").get(0).asDouble(), 0.5);
    assertEquals(512L * 28 * 28 * 8, Files.size(out.resolve("views1.f64")));

    String name = "head/proj2_W"; // [128, 64]
    JsonNode shape = m.get("params").get(name);
    assertEquals(128 * 64, shape.get(0).asInt() * shape.get(1).asInt());
    double[] p0 = read("p0-" + name);
    double[] p1 = read("p1-" + name);
    double[] g0 = read("g0-" + name);
    int opposing = 0;
    int large = 0;
    for (int i = 0; i < p0.length; i++) {
      double step = p1[i] - p0[i];
      assertTrue(Math.abs(step) <= 1e-3 * (1 + 1e-5), "first Adam step larger than lr at " + i + ": " + step);
      if (Math.abs(g0[i]) > 1e-4) {
        large++;
        if (step * g0[i] < 0 && Math.abs(step) > 0.9e-3) {
          opposing++;
        }
      }
    }
    assertTrue(large > 1000, "too few clear gradient entries: " + large);
    assertEquals(large, opposing, "the first step must be -lr * sign(gradient) where the gradient is clear");
  }

  private double[] read(String name) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out.resolve(name.replace('/', '.') + ".f64")))
        .order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[b.remaining() / 8];
    b.asDoubleBuffer().get(v);
    return v;
  }
}
