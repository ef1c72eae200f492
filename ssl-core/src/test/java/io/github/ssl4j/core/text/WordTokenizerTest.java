package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordTokenizerTest {
  private final Tokenizer tok = WordTokenizer.INSTANCE;

  @Test
  void wordsAndPunctuationLowerCased() {
    // hand-computed with the peer's TOKEN_RE.findall(text.lower())
    assertEquals(
        List.of("hello", ",", "world", "!", "it", "'", "s", "9am", "."),
        tok.tokenize("Hello, World! It's 9am."));
    assertEquals(
        List.of("http", ":", "/", "/", "example", ".", "com", "/", "win"),
        tok.tokenize("http://Example.COM/win"));
  }

  @Test
  void everyAsciiPunctuationCharIsItsOwnToken() {
    String punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    List<String> tokens = tok.tokenize(punct);
    assertEquals(punct.length(), tokens.size());
    for (int i = 0; i < punct.length(); i++) {
      assertEquals(String.valueOf(punct.charAt(i)), tokens.get(i));
    }
    assertEquals(List.of("(", "(", "a", ")", ")"), tok.tokenize("((a))"));
  }

  @Test
  void whitespaceControlAndNonAsciiSeparateAndVanish() {
    assertEquals(List.of("caf", "au", "lait"), tok.tokenize("Café\tau\u00a0lait"));
    assertEquals(List.of("na", "ve", "x"), tok.tokenize("naïve\r\n\u0000x"));
    assertEquals(List.of(), tok.tokenize(" \n\t é€ "));
    assertEquals(List.of(), tok.tokenize(""));
    // the Kelvin sign lower-cases to an ASCII k (in Python too)
    assertEquals(List.of("5k"), tok.tokenize("5\u212a"));
  }

  @Test
  void digitsAndLettersFormOneRun() {
    assertEquals(List.of("abc123def", "_", "x"), tok.tokenize("ABC123def_x"));
  }

  @Test
  void nameAndLookup() {
    assertEquals("lowercase-words", tok.name());
    assertEquals(tok, Tokenizers.forName("lowercase-words"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.forName("wordpiece"));
    assertEquals(true, e.getMessage().contains("lowercase-words"));
  }

  @Test
  void resultIsImmutable() {
    List<String> t = tok.tokenize("a b");
    assertThrows(UnsupportedOperationException.class, () -> t.add("c"));
  }
}
