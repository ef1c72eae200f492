package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.text.Document;
import io.github.ssl4j.core.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test: the masked language example runs end to end on the bundled sample, tiny limits. */
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
    MaskedLanguageEvaluation.Outcome ev = r.evaluation();
    assertEquals(8, r.pretraining().steps());
    assertEquals(256, r.trainWindowsUsed());
    assertTrue(ev.maskedTestTokens() > 500, "about 15 % of 128 x 63 tokens: " + ev.maskedTestTokens());
    double firstLoss = r.pretraining().firstLoss();
    assertTrue(firstLoss > 0 && firstLoss < 200, "masked cross-entropy per window: " + firstLoss);
    for (double a : new double[] {ev.maskedTokenAccuracy(), ev.unigramBaselineAccuracy(), ev.fineTune().accuracy(),
        ev.scratch().accuracy(), ev.majorityBaselineAccuracy()}) {
      assertTrue(a >= 0 && a <= 1, "accuracy outside [0, 1]: " + r);
    }
    assertTrue(ev.majorityBaselineAccuracy() >= 0.5, "majority class " + ev.majorityBaselineAccuracy());
    assertEquals(r.testMails(), ev.testMails());
    assertEquals(3, ev.samplePredictions().size());
    PretrainedEncoder loaded = PretrainedEncoder.load(out.resolve("run/encoder.zip"));
    assertEquals(r.vocabulary(), loaded.vocabulary().orElseThrow().size());
    assertEquals(0, loaded.paddingId().getAsInt());
    Map<?, ?> json = new ObjectMapper().readValue(out.resolve("run/results.json").toFile(), Map.class);
    assertEquals(ev.maskedTokenAccuracy(), ((Map<?, ?>) json.get("evaluation")).get("maskedTokenAccuracy"));
  }

  @Test
  void learnsAWordPieceVocabularyThatTheSavedEncoderKeeps() throws Exception {
    Path data = corpusDir(out);
    MaskedLanguageSpamAssassin.Result r = MaskedLanguageSpamAssassin.run("--data", data.toString(),
        "--tokenizer", "wordpiece", "--vocab-size", "1500", "--train-windows", "64", "--test-windows", "32",
        "--batch", "32", "--ft-epochs", "1", "--out", out.resolve("wp").toString());
    assertTrue(r.vocabulary() > 500 && r.vocabulary() <= 1500, "vocabulary " + r.vocabulary());
    assertEquals(2, r.pretraining().steps());
    Vocabulary saved = PretrainedEncoder.load(out.resolve("wp/encoder.zip")).vocabulary().orElseThrow();
    assertEquals("wordpiece-uncased", saved.tokenizer().name());
    assertTrue(saved.tokens().stream().anyMatch(t -> t.startsWith("##")), "continuation pieces");
    assertEquals(saved.tokenizer().tokenize("Unsubscribe from this list!"),
        saved.decode(saved.encode("Unsubscribe from this list!")));
  }

  @Test
  void rejectsBadOptionsAndMissingDataBeforeTraining() {
    assertThrows(IllegalStateException.class,
        () -> MaskedLanguageSpamAssassin.run("--tokenizer", "bpe", "--out", out.toString()));
    assertThrows(IllegalStateException.class,
        () -> MaskedLanguageSpamAssassin.run("--tokenizer", "wordpiece", "--vocab-size", "5", "--out", out.toString()));
    assertThrows(IllegalStateException.class,
        () -> MaskedLanguageSpamAssassin.run("--label-fraction", "0", "--out", out.toString()));
    assertThrows(IllegalStateException.class,
        () -> MaskedLanguageSpamAssassin.run("--data", out.resolve("nope").toString(), "--out", out.toString()));
    assertFalse(Files.exists(out.resolve("results.json")));
  }
}
