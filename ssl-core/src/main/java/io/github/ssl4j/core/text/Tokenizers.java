package io.github.ssl4j.core.text;

import java.util.Map;
import java.util.Objects;

/** Looks up the built-in {@link Tokenizer}s by their stored {@link Tokenizer#name()}. */
public final class Tokenizers {
  private static final Map<String, Tokenizer> BUILT_IN =
      Map.of(WordTokenizer.NAME, WordTokenizer.INSTANCE);

  private Tokenizers() {}

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
              + ". A vocabulary saved with a custom tokenizer must be loaded with"
              + " Vocabulary.load(path, tokenizer)");
    }
    return t;
  }
}
