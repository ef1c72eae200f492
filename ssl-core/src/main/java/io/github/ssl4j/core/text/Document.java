package io.github.ssl4j.core.text;

import java.util.Objects;

/**
 * One text document of a corpus (a mail body, a file, a line), immutable.
 *
 * @param text the document's text (for SpamAssassin: the mail body, the text after the first blank
 *     line); never null, may be empty
 * @param label the document's class (e.g. {@code "ham"} or {@code "spam"}), or null when the
 *     corpus carries no labels
 * @param source where the document came from, for messages and traceability (a file name,
 *     {@code file:line}); never null
 */
public record Document(String text, String label, String source) {

  /** Checks that text and source are present. */
  public Document {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(source, "source");
  }

  /** Whether this document carries a label. */
  public boolean hasLabel() {
    return label != null;
  }
}
