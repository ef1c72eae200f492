package io.github.ssl4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ssl4j.core.text.Vocabulary;
import io.github.ssl4j.core.text.WindowedCorpus;
import io.github.ssl4j.examples.SpamAssassinReader;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** W3's corpus preparation ({@link Workloads#w3Corpus}) against the reference implementation's. */
class ReferenceWindowingTest {

  private static Path fixture() {
    try {
      return Path.of(ReferenceWindowingTest.class.getResource("/spam-fixture/data").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Expected values printed by the reference's W3 data code run on the fixture (SPAM_DIR, seed 0). */
  @Test
  void fixtureGivesTheReferencesSplitVocabularyAndWindows() {
    WindowedCorpus c = Workloads.w3Corpus(SpamAssassinReader.read(fixture()), 0);
    // perm [3 2 5 4 0 1]: train = hard-ham, easy-ham-2 (empty body), spam-2, spam-1
    assertArrayEquals(new int[] {3, 2, 5, 4}, c.split().trainIndices());
    assertEquals(
        List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", "!", ":", "/", ",", "best", "win"),
        c.vocabulary().tokens().subList(0, 12));
    assertEquals(40, c.vocabulary().size());
    assertEquals(3, c.trainWindows().size()); // the empty mail has no window
    assertEquals(2, c.testWindows().size());
    assertArrayEquals(
        new int[] {2, 12, 13, 7, 14, 15, 16, 9, 17, 18, 5, 19}, Arrays.copyOf(c.trainWindows().window(0), 12));
    // test-only words are unknown: vocabulary from the training part only
    assertArrayEquals(
        new int[] {2, 1, 1, 9, 1, 1, 1, 7, 1, 1, 1, 0}, Arrays.copyOf(c.testWindows().window(0), 12));
    assertEquals(4, c.trainFirstWindows().size());
    assertArrayEquals(new int[64], shiftCls(c.trainFirstWindows().window(1)));
    assertEquals(List.of("ham", "spam"), c.classes());
    assertArrayEquals(new int[] {0, 0, 1, 1}, c.trainLabels());
    assertArrayEquals(new int[] {0, 0}, c.testLabels());
    assertEquals(64, c.trainWindows().length());
  }

  private static int[] shiftCls(int[] w) {
    assertEquals(Vocabulary.CLS, w[0]);
    int[] out = w.clone();
    out[0] = 0;
    return out;
  }

}
