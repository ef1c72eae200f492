package io.github.ssl4j.core.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A word-level tokeniser, the same as Python's {@code
 * TOKEN_RE.findall(text.lower())} with <code>TOKEN_RE = [a-z0-9]+|[!-/:-&#64;\[-`&#123;-~]</code>: the text is
 * lower-cased ({@link Locale#ROOT}), then every maximal run of ASCII letters and digits is one
 * token and every ASCII punctuation character is a token of its own. Everything else (white space,
 * control and non-ASCII characters) separates tokens and is dropped.
 *
 * <pre>{@code
 * WordTokenizer.INSTANCE.tokenize("Hello, World! It's 9am.")
 *   // [hello, ",", world, "!", it, "'", s, 9am, "."]
 * }</pre>
 */
public final class WordTokenizer implements Tokenizer {
  /** The stored name of this scheme. */
  public static final String NAME = "lowercase-words";

  /** The single instance (the tokeniser has no settings). */
  public static final WordTokenizer INSTANCE = new WordTokenizer();

  private static final Pattern TOKEN = Pattern.compile("[a-z0-9]+|[!-/:-@\\[-`{-~]");

  private WordTokenizer() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> tokenize(String text) {
    Objects.requireNonNull(text, "text");
    Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group());
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public String toString() {
    return NAME;
  }
}
