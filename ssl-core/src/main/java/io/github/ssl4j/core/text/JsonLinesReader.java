package io.github.ssl4j.core.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Reads documents from JSON Lines files (one JSON object per line, UTF-8): the text is the string
 * value of one field, optionally the label another. Streamed: one line in memory at a time.
 * Immutable; {@code with...} methods return a changed copy.
 *
 * <pre>{@code
 * try (Stream<Document> docs = JsonLinesReader.field("body").stream(Path.of("tickets"))) {
 *   docs.forEach(...);                    // tickets/*.jsonl in name order, line by line
 * }
 * List<Document> all = JsonLinesReader.field("text").withLabelField("category").read(Path.of("data.jsonl"));
 * }</pre>
 *
 * <p>A folder is read non-recursively: its files ending in {@code .jsonl} (see {@link
 * #withExtension}) in sorted name order, hidden files skipped; blank lines are skipped. A document's
 * {@link Document#source()} is {@code file:line}. Errors name the file and line: a line that is
 * not a JSON object, a missing or null field, a field that is not a string, bytes that are not
 * UTF-8 ({@link IllegalArgumentException}, or {@link UncheckedIOException} for I/O and encoding).
 *
 * @see CsvColumnReader
 * @see PlainTextReader
 */
public final class JsonLinesReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String field;
  private final String labelField;
  private final String extension;

  private JsonLinesReader(String field, String labelField, String extension) {
    this.field = field;
    this.labelField = labelField;
    this.extension = extension;
  }

  /**
   * Reads the text from this top-level field.
   *
   * @param field a field name, e.g. {@code "text"}, or a JSON Pointer starting with '/' for a
   *     nested field, e.g. {@code "/message/body"}
   */
  public static JsonLinesReader field(String field) {
    return new JsonLinesReader(checkField(field, "field"), null, "jsonl");
  }

  /** Also reads each document's label from this field (a string, or a number taken as text). */
  public JsonLinesReader withLabelField(String labelField) {
    return new JsonLinesReader(field, checkField(labelField, "labelField"), extension);
  }

  /** Reads the files of a folder whose names end with {@code "." + extension}; default {@code jsonl}. */
  public JsonLinesReader withExtension(String extension) {
    Objects.requireNonNull(extension, "extension");
    if (extension.isEmpty() || extension.startsWith(".")) {
      throw new IllegalArgumentException(
          "extension must be non-empty and without the leading dot, got '" + extension + "'; e.g. \"jsonl\"");
    }
    return new JsonLinesReader(field, labelField, extension);
  }

  private static String checkField(String f, String what) {
    Objects.requireNonNull(f, what);
    if (f.isEmpty()) {
      throw new IllegalArgumentException(what + " must be a non-empty field name, e.g. \"text\"");
    }
    return f;
  }

  /**
   * The documents of a file or of a folder's matching files, read lazily; close the stream (e.g.
   * try-with-resources) to close the open file.
   *
   * @throws UncheckedIOException if the path does not exist (at once), or a file cannot be read
   *     (while streaming)
   * @throws IllegalArgumentException if a folder has no matching file (at once), or a line is bad
   *     (while streaming; the message names the file and line)
   */
  public Stream<Document> stream(Path path) {
    Objects.requireNonNull(path, "path");
    return TextFiles.stream(TextFiles.list(path, extension), this::open);
  }

  /**
   * All documents of a file or folder, in order.
   *
   * @throws IllegalArgumentException as {@link #stream}, and if there is no document
   */
  public List<Document> read(Path path) {
    List<Document> docs;
    try (Stream<Document> s = stream(path)) {
      docs = s.toList();
    }
    if (docs.isEmpty()) {
      throw new IllegalArgumentException(path.toAbsolutePath() + " holds no JSON Lines document (only blank lines)");
    }
    return docs;
  }

  private TextFiles.FileDocuments open(Path file) throws IOException {
    TextFiles.Utf8Lines in = new TextFiles.Utf8Lines(file);
    String name = file.getFileName().toString();
    return new TextFiles.FileDocuments() {
      private int line;
      private Document next;

      @Override
      public boolean hasNext() {
        while (next == null) {
          String text;
          try {
            text = in.readLine();
          } catch (CharacterCodingException e) {
            throw new UncheckedIOException(file + ":" + (line + 1) + " is not valid UTF-8 (" + e
                + "); JSON Lines files must be UTF-8", e);
          } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + " after line " + line + ": " + e.getMessage(), e);
          }
          if (text == null) {
            return false;
          }
          line++;
          if (!text.isBlank()) {
            next = parse(file, name, line, text);
          }
        }
        return true;
      }

      @Override
      public Document next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Document d = next;
        next = null;
        return d;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  private Document parse(Path file, String name, int line, String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          file + ":" + line + " is not valid JSON: " + e.getOriginalMessage() + "; each line must be one JSON object", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ":" + line + " holds " + (root == null ? "nothing" : root.getNodeType())
          + ", expected a JSON object with a \"" + field + "\" field");
    }
    JsonNode t = get(root, field);
    if (t == null || t.isMissingNode() || t.isNull()) {
      throw new IllegalArgumentException(file + ":" + line + " has no " + describe(field) + " (or it is null); the"
          + " object's fields are " + fieldNames(root) + ". Pass the text field with JsonLinesReader.field(...)");
    }
    if (!t.isTextual()) {
      throw new IllegalArgumentException(file + ":" + line + ": " + describe(field) + " is a " + t.getNodeType()
          + ", expected a string");
    }
    String label = null;
    if (labelField != null) {
      JsonNode l = get(root, labelField);
      if (l == null || l.isMissingNode() || l.isNull() || !l.isValueNode()) {
        throw new IllegalArgumentException(file + ":" + line + " has no label " + describe(labelField)
            + " (or it is null or not a string or number); the object's fields are " + fieldNames(root));
      }
      label = l.asText();
    }
    return new Document(t.textValue(), label, name + ":" + line);
  }

  private static JsonNode get(JsonNode root, String f) {
    return f.startsWith("/") ? root.at(f) : root.get(f);
  }

  private static String describe(String f) {
    return "field \"" + f + "\"";
  }

  private static List<String> fieldNames(JsonNode root) {
    List<String> names = new java.util.ArrayList<>();
    root.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
