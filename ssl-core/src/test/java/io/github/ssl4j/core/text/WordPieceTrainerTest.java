package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordPieceTrainerTest {

  private static List<String> corpus() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      texts.add("ab");
    }
    for (int i = 0; i < 3; i++) {
      texts.add("ABC");
    }
    texts.add("bc");
    return texts;
  }

  @Test
  void mergesTheMostFrequentPairsAsComputedByHand() {
    // words: ab x5 = [a, ##b], abc x3 = [a, ##b, ##c], bc x1 = [b, ##c]
    // pairs: (a,##b) 8, (##b,##c) 3, (b,##c) 1 -> merge "ab"; then (ab,##c) 3 -> "abc"; (b,##c) 1 < 2 stops
    Vocabulary v = WordPieceTrainer.builder().vocabularySize(100).build().train(corpus());
    assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "##b", "##c", "a", "b", "ab", "abc"), v.tokens());
    assertEquals(List.of("abc", "ab", "b", "##c", "[UNK]"), v.tokenizer().tokenize("ABC ab bc d"));
    // the size limit counts the specials
    Vocabulary small = WordPieceTrainer.builder().vocabularySize(10).build().train(corpus());
    assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "##b", "##c", "a", "b", "ab"), small.tokens());
    // min frequency 1 also merges the single pair
    Vocabulary all = WordPieceTrainer.builder().vocabularySize(100).minFrequency(1).build().train(corpus());
    assertEquals("bc", all.tokenOf(all.size() - 1));
  }

  @Test
  void learntVocabularyCoversItsCorpusAndIgnoresTextOrder() {
    List<String> texts = new ArrayList<>();
    String[] words = {"lower", "lowest", "newer", "wider", "new", "low", "running", "runner", "ran", "café"};
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    for (int i = 0; i < 400; i++) {
      StringBuilder b = new StringBuilder();
      for (int j = 0; j < 8; j++) {
        b.append(words[r.nextInt(words.length)]).append(j % 3 == 2 ? ", " : " ");
      }
      texts.add(b.toString());
    }
    WordPieceTrainer trainer = WordPieceTrainer.builder().vocabularySize(40).build();
    Vocabulary v = trainer.train(texts);
    assertTrue(v.size() <= 40, "size " + v.size());
    assertEquals("wordpiece-uncased", v.tokenizer().name());
    for (String t : texts) {
      assertFalse(v.tokenizer().tokenize(t).contains("[UNK]"), t + " -> " + v.tokenizer().tokenize(t));
    }
    assertTrue(v.contains("low") || v.contains("lower"), v.tokens().toString());
    assertTrue(v.contains("cafe"), "accents stripped before learning: " + v.tokens());
    List<String> shuffled = new ArrayList<>(texts);
    Collections.shuffle(shuffled, new java.util.Random(3));
    assertEquals(v, trainer.train(shuffled));
    // more merges cut words into fewer pieces
    Vocabulary big = WordPieceTrainer.builder().vocabularySize(200).build().train(texts);
    int small = 0;
    int large = 0;
    for (String t : texts) {
      small += v.encode(t).length;
      large += big.encode(t).length;
    }
    assertTrue(large < small, large + " vs " + small);
  }

  @Test
  void rejectsBadSettingsAndEmptyCorpora() {
    assertThrows(IllegalArgumentException.class, () -> WordPieceTrainer.builder().vocabularySize(5).build());
    assertThrows(IllegalArgumentException.class, () -> WordPieceTrainer.builder().minFrequency(0).build());
    assertThrows(IllegalArgumentException.class, () -> WordPieceTrainer.builder().alphabetLimit(0).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WordPieceTrainer.builder().build().train(List.of(" ", "\t")));
    assertTrue(e.getMessage().contains("no words"), e.getMessage());
  }
}
