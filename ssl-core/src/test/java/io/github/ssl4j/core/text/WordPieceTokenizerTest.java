package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WordPiece on a small committed BERT-style vocab.txt. The expected tokens follow Hugging Face's
 * BertTokenizer (BasicTokenizer + WordpieceTokenizer) step by step; the first cases are the ones of
 * its own test suite (tests/models/bert/test_tokenization_bert.py).
 */
class WordPieceTokenizerTest {

  static Path fixture() {
    try {
      return Path.of(WordPieceTokenizerTest.class.getResource("bert-vocab.txt").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Vocabulary UNCASED = WordPieceVocabulary.fromBertVocab(fixture(), true);
  private static final Vocabulary CASED = WordPieceVocabulary.fromBertVocab(fixture(), false);

  private static List<String> uncased(String text) {
    return UNCASED.tokenizer().tokenize(text);
  }

  @Test
  void huggingFaceReferenceCases() {
    assertEquals(List.of("un", "##want", "##ed", ",", "runn", "##ing"), uncased("UNwant\u00E9d,running"));
    assertEquals(List.of("hello", "!", "how", "are", "you", "?"), uncased(" \tHeLLo!how  \n Are yoU?  "));
    assertEquals(List.of("ah", "\u535A", "\u63A8", "zz"), uncased("ah\u535A\u63A8zz"));
    assertEquals(List.of("[UNK]", "runn", "##ing"), uncased("unwantedX running"));
    assertEquals(List.of(), uncased(""));
    assertEquals(List.of("hello"), UNCASED.tokenizer() instanceof WordPieceTokenizer w ? w.words("H\u00E9llo") : null);
    assertEquals(List.of("HeLLo", "!", "how", "Are", "yoU", "?"),
        ((WordPieceTokenizer) CASED.tokenizer()).words(" \tHeLLo!how  \n Are yoU?  "));
  }

  @Test
  void longestMatchFirstAccentsPunctuationAndUnknownWords() {
    assertEquals(List.of("want", "##ed"), uncased("wanted"), "'want' beats the shorter prefix 'wa'");
    assertEquals(List.of("na", "##ive", "resume", "!"), uncased("Na\u00EFve r\u00E9sum\u00E9!"));
    assertEquals(List.of("hello", "[UNK]", "world"), uncased("hello\u2014world"), "em dash is punctuation (Pd)");
    assertEquals(List.of("hello", "[UNK]", "[UNK]", "world"), uncased("hello$^world"), "ASCII $ and ^ count as punctuation");
    assertEquals(List.of("hello", "world"), uncased("hel\u0000lo wor\u00ADld\uFFFD"), "controls, format chars, U+FFFD dropped");
    assertEquals(List.of("hello", "world"), uncased("hello\u00A0world"), "no-break space (Zs) separates");
    assertEquals(List.of("[CLS]", "hello", "[MASK]", "."), uncased("[CLS] Hello [MASK] ."), "special tokens kept whole");
  }

  @Test
  void chineseCharactersAreWordsOfTheirOwn() {
    assertEquals(List.of("hello", "\u4E2D", "\u6587", "[UNK]"), uncased("hello\u4E2D\u6587\u56FD"));
    assertEquals(List.of("\u4E2D", "a"), uncased("\u4E2Da"));
  }

  @Test
  void casedKeepsCaseAndAccentsAndComposesToNfc() {
    // "He" + combining acute + "llo": NFC makes it H\u00E9llo, cut as H ##\u00E9 ##llo
    assertEquals(List.of("Hello", "H", "##\u00E9", "##llo"), CASED.tokenizer().tokenize("Hello He\u0301llo"));
    assertEquals(List.of("[UNK]"), CASED.tokenizer().tokenize("hellO"));
    assertEquals("wordpiece-cased", CASED.tokenizer().name());
    assertEquals("wordpiece-uncased", UNCASED.tokenizer().name());
  }

  @Test
  void wordsLongerThanOneHundredCharactersAreUnknown() {
    List<String> expected = new ArrayList<>();
    expected.add("a");
    for (int i = 1; i < 100; i++) {
      expected.add("##a");
    }
    assertEquals(expected, uncased("a".repeat(100)));
    assertEquals(List.of("[UNK]", "a"), uncased("a".repeat(101) + " a"));
    assertEquals(100, WordPieceTokenizer.MAX_WORD_CHARS);
  }

  @Test
  void bertVocabularyIsRenumberedWithTheSpecialsFirst(@TempDir Path dir) {
    assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]", "want"), UNCASED.tokens().subList(0, 7));
    assertEquals(39, UNCASED.size());
    assertEquals(Vocabulary.MASK, UNCASED.idOf("[MASK]"));
    int[] ids = UNCASED.encode("unwanted, running");
    assertEquals(List.of("un", "##want", "##ed", ",", "runn", "##ing"), UNCASED.decode(ids));

    // saved and loaded as an ssl4j vocabulary: the WordPiece tokenizer comes back from the tokens
    UNCASED.save(dir.resolve("vocab.json"));
    Vocabulary loaded = Vocabulary.load(dir.resolve("vocab.json"));
    assertEquals(UNCASED, loaded);
    assertEquals(uncased("UNwant\u00E9d,running"), loaded.tokenizer().tokenize("UNwant\u00E9d,running"));
    // written back as vocab.txt: the same vocabulary
    WordPieceVocabulary.writeBertVocab(UNCASED, dir.resolve("vocab.txt"));
    assertEquals(UNCASED, WordPieceVocabulary.fromBertVocab(dir.resolve("vocab.txt"), true));
  }

  @Test
  void badVocabFilesAreReportedWithTheFile(@TempDir Path dir) throws Exception {
    Path noUnk = dir.resolve("no-unk.txt");
    Files.writeString(noUnk, "[PAD]\nhello\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WordPieceVocabulary.fromBertVocab(noUnk, true));
    assertTrue(e.getMessage().contains("no-unk.txt") && e.getMessage().contains("[UNK]"), e.getMessage());
    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, "[UNK]\ncaf\u00E9\n".getBytes(StandardCharsets.ISO_8859_1));
    UncheckedIOException u = assertThrows(UncheckedIOException.class,
        () -> WordPieceVocabulary.fromBertVocab(latin1, true));
    assertTrue(u.getMessage().contains("latin1.txt") && u.getMessage().contains("line 2"), u.getMessage());
    assertThrows(UncheckedIOException.class, () -> WordPieceVocabulary.fromBertVocab(dir.resolve("missing.txt"), true));
  }
}
