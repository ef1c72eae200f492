package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
  private static final Tokenizer TOK = WordTokenizer.INSTANCE;

  @TempDir Path dir;

  @Test
  void specialsHaveFixedIds() {
    Vocabulary v = Vocabulary.build(TOK, List.of("a"), 10);
    assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a"), v.tokens());
    assertEquals(0, v.idOf("[PAD]"));
    assertEquals(1, v.idOf("[UNK]"));
    assertEquals(2, v.idOf("[CLS]"));
    assertEquals(3, v.idOf("[SEP]"));
    assertEquals(4, v.idOf("[MASK]"));
    assertTrue(Vocabulary.isSpecial(4));
    assertFalse(Vocabulary.isSpecial(5));
  }

  @Test
  void frequencyOrderTiesByFirstOccurrenceLikeCounterMostCommon() {
    // counts: b 3, a 2, c 2, "." 2, d 1, e 1 (first seen in this order);
    // Python: Counter(tokens).most_common(4) == [('b', 3), ('a', 2), ('c', 2), ('.', 2)]
    List<String> texts = List.of("b a c. d", "b b. a", "c e");
    Vocabulary v = Vocabulary.build(TOK, texts, 4);
    assertEquals(List.of("b", "a", "c", "."), v.tokens().subList(5, v.size()));
    assertEquals(9, v.size());
    // the cut-off drops d and e: unknown
    assertArrayEquals(new int[] {5, 6, 1, 8, 1}, v.encode("B a d. E"));
    assertEquals(v, Vocabulary.build(TOK, texts, 4, Vocabulary.TieBreak.FIRST_OCCURRENCE));
  }

  @Test
  void frequencyOrderTiesByTokenString() {
    List<String> texts = List.of("b a c. d", "b b. a", "c e");
    Vocabulary v = Vocabulary.build(TOK, texts, 4, Vocabulary.TieBreak.TOKEN_STRING);
    assertEquals(List.of("b", ".", "a", "c"), v.tokens().subList(5, v.size()));
    // independent of the text order
    assertEquals(v, Vocabulary.build(TOK, List.of("c e", "b b. a", "b a c. d"), 4, Vocabulary.TieBreak.TOKEN_STRING));
    assertEquals(
        List.of("b", "c", ".", "a"),
        Vocabulary.build(TOK, List.of("c e", "b b. a", "b a c. d"), 4).tokens().subList(5, 9));
  }

  @Test
  void fewerDistinctTokensThanMax() {
    Vocabulary v = Vocabulary.build(TOK, List.of("x y x"), 8000);
    assertEquals(List.of("x", "y"), v.tokens().subList(5, 7));
    assertEquals(7, v.size());
  }

  @Test
  void specialStringsAreNotCountedAsTokens() {
    Tokenizer whitespace =
        new Tokenizer() {
          @Override
          public String name() {
            return "whitespace-test";
          }

          @Override
          public List<String> tokenize(String text) {
            return List.of(text.split(" "));
          }
        };
    Vocabulary v = Vocabulary.build(whitespace, List.of("[MASK] [MASK] z"), 5);
    assertEquals(List.of("z"), v.tokens().subList(5, v.size()));
    assertArrayEquals(new int[] {4, 5}, v.encode("[MASK] z"));
  }

  @Test
  void encodeDecode() {
    Vocabulary v = Vocabulary.build(TOK, List.of("hello world hello !"), 10);
    int[] ids = v.encode("Hello, world!");
    assertArrayEquals(new int[] {5, 1, 6, 7}, ids);
    assertEquals(List.of("hello", "[UNK]", "world", "!"), v.decode(ids));
    assertEquals(List.of("[CLS]", "[PAD]"), v.decode(new int[] {2, 0}));
    assertThrows(IndexOutOfBoundsException.class, () -> v.decode(new int[] {8}));
    assertThrows(IndexOutOfBoundsException.class, () -> v.tokenOf(-1));
  }

  @Test
  void saveLoadRoundTrip() {
    Vocabulary v = Vocabulary.build(TOK, List.of("the cat sat on the mat, \"quoted\" é"), 100);
    Path file = dir.resolve("vocab.json");
    v.save(file);
    Vocabulary back = Vocabulary.load(file);
    assertEquals(v, back);
    assertEquals(v.tokens(), back.tokens());
    assertEquals(TOK, back.tokenizer());
    assertArrayEquals(v.encode("The mat sat."), back.encode("The mat sat."));
  }

  @Test
  void loadWithCustomTokenizerChecksName() throws Exception {
    Vocabulary v = Vocabulary.build(TOK, List.of("a b"), 5);
    Path file = dir.resolve("v.json");
    v.save(file);
    assertEquals(v, Vocabulary.load(file, TOK));
    Tokenizer other =
        new Tokenizer() {
          @Override
          public String name() {
            return "other";
          }

          @Override
          public List<String> tokenize(String text) {
            return List.of(text);
          }
        };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(file, other));
    assertTrue(e.getMessage().contains("lowercase-words"), e.getMessage());
  }

  @Test
  void corruptFilesAreRejectedNamingTheFile() throws Exception {
    String ok = "{\"format\":\"ssl4j-vocabulary\",\"version\":1,\"tokenizer\":\"lowercase-words\",";
    String specials = "\"[PAD]\",\"[UNK]\",\"[CLS]\",\"[SEP]\",\"[MASK]\"";
    assertBad("not json {", "not valid JSON");
    assertBad("[1,2]", "no JSON object");
    assertBad("{\"format\":\"other\"}", "format");
    assertBad(ok.replace("\"version\":1", "\"version\":2") + "\"tokens\":[" + specials + "]}", "version");
    assertBad(ok.replace("lowercase-words", "bpe") + "\"tokens\":[" + specials + "]}", "unknown tokenizer");
    assertBad(ok + "\"tokens\":\"a\"}", "\"tokens\" must be an array");
    assertBad(ok + "\"tokens\":[\"[PAD]\"]}", "special tokens");
    assertBad(ok + "\"tokens\":[\"[UNK]\",\"[PAD]\",\"[CLS]\",\"[SEP]\",\"[MASK]\"]}", "id 0");
    assertBad(ok + "\"tokens\":[" + specials + ",\"a\",3]}", "tokens[6]");
    assertBad(ok + "\"tokens\":[" + specials + ",\"a\",\"a\"]}", "appears twice");
    assertBad(ok + "\"tokens\":[" + specials + ",\"\"]}", "empty");
    assertThrows(UncheckedIOException.class, () -> Vocabulary.load(dir.resolve("missing.json")));
  }

  private void assertBad(String content, String expected) throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, content);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.load(file));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void ofValidatesAndBuildRejectsBadMax() {
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(TOK, List.of("[PAD]")));
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(TOK, List.of("a"), 0));
    Vocabulary v = Vocabulary.of(TOK, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "q"));
    assertEquals(5, v.idOf("q"));
    assertThrows(UnsupportedOperationException.class, () -> v.tokens().add("x"));
  }
}
