package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowedCorpusTest {

  /** Expected values printed by the peer's W3 data code run on the fixture (SPAM_DIR, seed 0). */
  @Test
  void fixtureMatchesThePeer() {
    WindowedCorpus c = WindowedCorpus.w3(SpamAssassinReader.read(SpamAssassinReaderTest.fixture()), 0);
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

  @Test
  void unlabelledCorpusAndSettings() {
    List<Document> docs =
        List.of(
            new Document("a b c d e f g", null, "1"),
            new Document("a b", null, "2"),
            new Document("c d e", null, "3"),
            new Document("b b b", null, "4"));
    WindowedCorpus c = WindowedCorpus.builder().windowLength(3).maxTokens(2).trainFraction(0.5).seed(3).build(docs);
    assertFalse(c.isLabelled());
    assertEquals(7, c.vocabulary().size());
    assertEquals(3, c.trainWindows().length());
    assertThrows(IllegalStateException.class, c::trainLabels);
    assertTrue(c.classes().isEmpty());
  }

  @Test
  void validation() {
    List<Document> mixed = List.of(new Document("a", "x", "1"), new Document("b", null, "2"));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.w3(mixed, 0));
    List<Document> one = List.of(new Document("a", null, "1"));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.w3(one, 0));
    List<Document> empty = List.of(new Document("", null, "1"), new Document(" ", null, "2"));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.w3(empty, 0));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.builder().windowLength(1).build(mixed));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.builder().maxTokens(0).build(mixed));
  }
}
