package io.github.ssl4j.core.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Reads unlabelled plain-text documents: either one document per file or one per (non-blank) line,
 * from a folder or an explicit list of files. Immutable; {@code with...} methods return a changed
 * copy.
 *
 * <pre>{@code
 * List<Document> docs = PlainTextReader.onePerFile().withExtension("txt").read(Path.of("corpus"));
 * List<Document> lines = PlainTextReader.onePerLine().read(List.of(Path.of("a.txt"), Path.of("b.txt")));
 * }</pre>
 *
 * <p>A folder is read non-recursively, its regular files in sorted name order (hidden files, whose
 * names start with '.', are skipped). Files are decoded strictly in the charset (default UTF-8): a
 * byte sequence that is not valid in it is an error naming the file. Documents have no label; their
 * {@link Document#source()} is the file name, with {@code :line} in one-per-line mode.
 *
 * <p>Policies for damaged or unusual files: a leading byte-order mark (U+FEFF) is not part of the
 * text; a NUL character is an error naming the file and the offset (a binary file, or UTF-16 read
 * as UTF-8); blank (white-space only) files and lines are skipped, and reading is an error when no
 * document remains. A file cut short inside a multi-byte character is refused as not valid in the
 * charset; one cut at a character boundary cannot be told from a complete file (plain text declares
 * no length or checksum), and is read as it is.
 */
public final class PlainTextReader {
  private final boolean perLine;
  private final String extension;
  private final Charset charset;

  private PlainTextReader(boolean perLine, String extension, Charset charset) {
    this.perLine = perLine;
    this.extension = extension;
    this.charset = charset;
  }

  /** Each file is one document (its whole content). */
  public static PlainTextReader onePerFile() {
    return new PlainTextReader(false, null, StandardCharsets.UTF_8);
  }

  /**
   * Each line of each file is one document; blank (white-space only) lines are skipped. Line
   * terminators are {@code \n}, {@code \r\n} or {@code \r}.
   */
  public static PlainTextReader onePerLine() {
    return new PlainTextReader(true, null, StandardCharsets.UTF_8);
  }

  /**
   * Reads only files whose name ends with {@code "." + extension} when reading a folder (default:
   * every file). Explicit file lists are not filtered.
   *
   * @param extension without the dot, e.g. {@code "txt"}
   */
  public PlainTextReader withExtension(String extension) {
    Objects.requireNonNull(extension, "extension");
    if (extension.isEmpty() || extension.startsWith(".")) {
      throw new IllegalArgumentException(
          "extension must be non-empty and without the leading dot, got '" + extension + "'; e.g. \"txt\"");
    }
    return new PlainTextReader(perLine, extension, charset);
  }

  /** Decodes files in this charset (default UTF-8). */
  public PlainTextReader withCharset(Charset charset) {
    return new PlainTextReader(perLine, extension, Objects.requireNonNull(charset, "charset"));
  }

  /**
   * Reads a folder (its matching files) or a single file.
   *
   * @return the documents, in file order then line order, immutable
   * @throws UncheckedIOException if the path does not exist or a file cannot be read or decoded
   * @throws IllegalArgumentException if a file holds a NUL character or no document was found
   */
  public List<Document> read(Path path) {
    Objects.requireNonNull(path, "path");
    if (Files.isDirectory(path)) {
      List<Path> files;
      try (Stream<Path> s = Files.list(path)) {
        files =
            s.filter(Files::isRegularFile)
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .filter(p -> extension == null || p.getFileName().toString().endsWith("." + extension))
                .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("could not list " + path + ": " + e.getMessage(), e);
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            "folder " + path.toAbsolutePath() + " has no "
                + (extension == null ? "" : "*." + extension + " ") + "files to read"
                + (extension == null ? "" : "; check the extension or drop withExtension"));
      }
      return read(files);
    }
    if (!Files.exists(path)) {
      throw new UncheckedIOException(
          new NoSuchFileException(path.toAbsolutePath() + " (no such file or folder)"));
    }
    return read(List.of(path));
  }

  /**
   * The documents of a folder (its matching files, as {@link #read(Path)}) or a single file, read
   * lazily one file at a time; close the stream to close the open file. Unlike {@link #read(Path)}
   * it does not fail when there is no document (an empty stream).
   *
   * @throws UncheckedIOException if the path does not exist (at once) or a file cannot be read or
   *     decoded (while streaming)
   * @throws IllegalArgumentException if a folder has no matching file
   */
  public java.util.stream.Stream<Document> stream(Path path) {
    Objects.requireNonNull(path, "path");
    return TextFiles.stream(TextFiles.list(path, extension), file -> {
      List<Document> docs = documents(file);
      java.util.Iterator<Document> it = docs.iterator();
      return new TextFiles.FileDocuments() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Document next() {
          return it.next();
        }

        @Override
        public void close() {}
      };
    });
  }

  /**
   * Reads these files in the given order.
   *
   * @throws UncheckedIOException if a file does not exist or cannot be read or decoded
   * @throws IllegalArgumentException if the list is empty, a file holds a NUL character, or no
   *     document was found
   */
  public List<Document> read(List<Path> files) {
    Objects.requireNonNull(files, "files");
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no files given; pass at least one text file");
    }
    List<Document> out = new ArrayList<>();
    for (Path file : files) {
      out.addAll(documents(file));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the files " + files + " hold no non-blank "
          + (perLine ? "line" : "file") + "; expected at least one document: check that the files are the corpus"
          + " and were written completely");
    }
    return Collections.unmodifiableList(out);
  }

  /** The documents of one file (one, or one per non-blank line). */
  private List<Document> documents(Path file) {
    String text = readText(file);
    String name = file.getFileName().toString();
    if (!perLine) {
      return text.isBlank() ? List.of() : List.of(new Document(text, null, name));
    }
    List<Document> out = new ArrayList<>();
    String[] lines = text.split("\\r\\n|\\r|\\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        out.add(new Document(lines[i], null, name + ":" + (i + 1)));
      }
    }
    return out;
  }

  private String readText(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      String text = charset.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      int nul = text.indexOf('\0');
      if (nul >= 0) {
        throw new IllegalArgumentException("text file " + file + " holds a NUL character at character " + nul
            + " (line " + (text.substring(0, nul).lines().count() + 1) + "); expected " + charset.name()
            + " text: a binary file, or UTF-16 text (then pass withCharset(StandardCharsets.UTF_16LE) or"
            + " UTF_16BE)");
      }
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("text file not found: " + file.toAbsolutePath(), e);
    } catch (CharacterCodingException e) {
      throw new UncheckedIOException(
          "text file " + file + " is not valid " + charset.name() + " (" + e + "); convert it or pass"
              + " its charset with withCharset(...)",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read text file " + file + ": " + e.getMessage(), e);
    }
  }
}
