package io.github.ssl4j.core.text;

import java.util.Map;
import java.util.Objects;

/** Looks up the built-in {@link Tokenizer}s by their stored {@link Tokenizer#name()}. */
public final class Tokenizers {
  private static final Map<String, Tokenizer> BUILT_IN =
      Map.of(WordTokenizer.NAME, WordTokenizer.INSTANCE);

  private Tokenizers() {}

  /**
   * The built-in tokenizer with this name for a vocabulary with these tokens: {@link
   * WordPieceTokenizer}s ({@value WordPieceTokenizer#UNCASED}, {@value WordPieceTokenizer#CASED})
   * are rebuilt over the tokens, the others are looked up by {@link #forName(String)}.
   *
   * @throws IllegalArgumentException if no built-in tokenizer has this name
   */
  public static Tokenizer forName(String name, java.util.List<String> tokens) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tokens, "tokens");
    if (name.equals(WordPieceTokenizer.UNCASED) || name.equals(WordPieceTokenizer.CASED)) {
      return WordPieceTokenizer.of(tokens, name.equals(WordPieceTokenizer.UNCASED));
    }
    return forName(name);
  }

  /**
   * The built-in tokenizer with this name.
   *
   * @throws IllegalArgumentException if no built-in tokenizer has this name
   */
  public static Tokenizer forName(String name) {
    Objects.requireNonNull(name, "name");
    Tokenizer t = BUILT_IN.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown tokenizer '" + name + "'; the built-in tokenizers are " + BUILT_IN.keySet()
              + " and, with a vocabulary's tokens, " + WordPieceTokenizer.UNCASED + " and " + WordPieceTokenizer.CASED
              + ". A vocabulary saved with a custom tokenizer must be loaded with"
              + " Vocabulary.load(path, tokenizer)");
    }
    return t;
  }
}
