package io.github.ssl4j.core.text;

import java.util.List;

/**
 * Splits text into string tokens. Implementations are immutable and thread-safe, and have a stable
 * {@link #name()} that a saved {@link Vocabulary} records, so that a loaded vocabulary tokenises new
 * text exactly as the one that was trained (see {@link Tokenizers#forName(String)}).
 */
public interface Tokenizer {

  /**
   * Stable identifier of this tokenisation scheme, stored with a saved vocabulary, e.g. {@code
   * "lowercase-words"}.
   */
  String name();

  /**
   * The tokens of {@code text}, in order.
   *
   * @param text any text, not null
   * @return an immutable list, empty when the text has no tokens
   */
  List<String> tokenize(String text);
}
