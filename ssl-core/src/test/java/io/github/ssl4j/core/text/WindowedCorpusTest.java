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
  void labelledCorpusSplitsVocabularyFromTrainingPartOnly() {
    List<Document> docs =
        List.of(
            new Document("alpha beta gamma", "spam", "1"),
            new Document("alpha beta", "ham", "2"),
            new Document("delta delta", "ham", "3"),
            new Document("beta epsilon", "spam", "4"),
            new Document("alpha", "ham", "5"));
    WindowedCorpus c = WindowedCorpus.builder().trainFraction(0.6)
        .permutation((n, seed) -> new int[] {0, 1, 3, 2, 4}).build(docs);
    assertArrayEquals(new int[] {0, 1, 3}, c.split().trainIndices());
    assertEquals(List.of("ham", "spam"), c.classes());
    assertArrayEquals(new int[] {1, 0, 1}, c.trainLabels());
    assertArrayEquals(new int[] {0, 0}, c.testLabels());
    // alpha 2, beta 3, gamma 1, epsilon 1 in the training part; delta only in the test part
    assertEquals(List.of("beta", "alpha", "gamma", "epsilon"),
        c.vocabulary().tokens().subList(Vocabulary.FIRST_REGULAR_ID, c.vocabulary().size()));
    assertEquals(Vocabulary.UNK, c.testWindows().window(0)[1]);
    assertEquals(TokenWindows.DEFAULT_LENGTH, c.trainWindows().length());
  }

  @Test
  void validation() {
    List<Document> mixed = List.of(new Document("a", "x", "1"), new Document("b", null, "2"));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.builder().build(mixed));
    List<Document> one = List.of(new Document("a", null, "1"));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.builder().build(one));
    List<Document> empty = List.of(new Document("", null, "1"), new Document(" ", null, "2"));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.builder().build(empty));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.builder().windowLength(1).build(mixed));
    assertThrows(IllegalArgumentException.class, () -> WindowedCorpus.builder().maxTokens(0).build(mixed));
  }
}
