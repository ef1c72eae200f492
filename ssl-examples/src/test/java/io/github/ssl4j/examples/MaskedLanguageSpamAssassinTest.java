package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.text.Document;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test: the W3 (masked language) example runs end to end on the bundled sample, tiny limits. */
class MaskedLanguageSpamAssassinTest {
  @TempDir Path out;

  /** The bundled sample written out in the npm package's layout, {@code <group>/<id>.json}. */
  private static Path corpusDir(Path root) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path data = root.resolve("data");
    for (Document d : SpamCorpus.bundledSample().documents()) {
      String[] groupAndId = d.source().split("/");
      Path dir = Files.createDirectories(data.resolve(groupAndId[0]));
      ObjectNode m = json.createObjectNode();
      m.put("id", groupAndId[1]);
      m.put("group", groupAndId[0]);
      m.put("text", "X-Test: header\n\n" + d.text());
      Files.writeString(dir.resolve(groupAndId[1] + ".json"), json.writeValueAsString(m));
    }
    return data;
  }

  @Test
  void runsOnTheSampleAndSavesAnEncoderWithItsVocabulary() throws Exception {
    Path data = corpusDir(out);
    MaskedLanguageSpamAssassin.Result r = MaskedLanguageSpamAssassin.run("--data", data.toString(),
        "--train-windows", "256", "--test-windows", "128", "--batch", "32", "--ft-epochs", "2",
        "--out", out.resolve("run").toString());
    assertEquals(605, r.trainMails() + r.testMails());
    assertEquals(8, r.steps());
    assertEquals(256, r.trainWindowsUsed());
    assertTrue(r.maskedTestTokens() > 500, "about 15 % of 128 x 63 tokens: " + r.maskedTestTokens());
    assertTrue(r.firstLoss() > 0 && r.firstLoss() < 200, "masked cross-entropy per window: " + r.firstLoss());
    for (double a : new double[] {r.maskedTokenAccuracy(), r.unigramBaselineAccuracy(), r.fineTuneAccuracy(),
        r.scratchAccuracy(), r.majorityBaselineAccuracy()}) {
      assertTrue(a >= 0 && a <= 1, "accuracy outside [0, 1]: " + r);
    }
    assertEquals(3, r.samplePredictions().size());
    PretrainedEncoder loaded = PretrainedEncoder.load(Path.of(r.encoderFile()));
    assertEquals(r.vocabulary(), loaded.vocabulary().orElseThrow().size());
    assertEquals(0, loaded.paddingId().getAsInt());
    Map<?, ?> json = new ObjectMapper().readValue(out.resolve("run/results.json").toFile(), Map.class);
    assertTrue(json.containsKey("maskedTokenAccuracy"), json.toString());
  }

  @Test
  void rejectsBadOptionsAndMissingDataBeforeTraining() {
    assertThrows(IllegalStateException.class,
        () -> MaskedLanguageSpamAssassin.run("--label-fraction", "0", "--out", out.toString()));
    assertThrows(IllegalStateException.class,
        () -> MaskedLanguageSpamAssassin.run("--data", out.resolve("nope").toString(), "--out", out.toString()));
    assertFalse(Files.exists(out.resolve("results.json")));
  }
}
