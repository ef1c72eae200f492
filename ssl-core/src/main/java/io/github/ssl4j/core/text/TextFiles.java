package io.github.ssl4j.core.text;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** The files of a text corpus and a lazy stream of documents over them, shared by the readers. */
final class TextFiles {
  private TextFiles() {}

  /** The documents of one open file; closed when exhausted or when the stream is closed. */
  interface FileDocuments extends Iterator<Document>, Closeable {}

  /** Opens one file's documents. */
  @FunctionalInterface
  interface Opener {
    FileDocuments open(Path file) throws IOException;
  }

  /**
   * A folder's regular files whose names end with {@code "." + extension} (every file for null),
   * hidden files (names starting with '.') skipped, in sorted name order; or the path itself when
   * it is a file.
   *
   * @throws UncheckedIOException if the path does not exist or cannot be listed
   * @throws IllegalArgumentException if a folder has no matching file
   */
  static List<Path> list(Path path, String extension) {
    if (Files.isDirectory(path)) {
      List<Path> files;
      try (Stream<Path> s = Files.list(path)) {
        files = s.filter(Files::isRegularFile)
            .filter(p -> !p.getFileName().toString().startsWith("."))
            .filter(p -> extension == null || p.getFileName().toString().endsWith("." + extension))
            .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("could not list " + path + ": " + e.getMessage(), e);
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            "folder " + path.toAbsolutePath() + " has no " + (extension == null ? "" : "*." + extension + " ")
                + "files to read" + (extension == null ? "" : "; check the extension or set another one"));
      }
      return files;
    }
    if (!Files.exists(path)) {
      throw new UncheckedIOException(new NoSuchFileException(path.toAbsolutePath() + " (no such file or folder)"));
    }
    return List.of(path);
  }

  /** A reader that fails on bytes that are not valid in the charset (instead of replacing them). */
  static BufferedReader open(Path file, Charset charset) throws IOException {
    return new BufferedReader(new InputStreamReader(Files.newInputStream(file),
        charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)));
  }

  /**
   * Reads a UTF-8 file line by line, decoding each line on its own and strictly, so a decoding
   * error is reported at its line. Lines end at '\n'; a '\r' before it is dropped.
   */
  static final class Utf8Lines implements Closeable {
    private final java.io.InputStream in;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
    private final java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    Utf8Lines(Path file) throws IOException {
      this.in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    /**
     * The next line, or null at the end.
     *
     * @throws java.nio.charset.CharacterCodingException if the line is not valid UTF-8
     */
    String readLine() throws IOException {
      line.reset();
      int b = in.read();
      if (b < 0) {
        return null;
      }
      while (b >= 0 && b != '\n') {
        line.write(b);
        b = in.read();
      }
      byte[] bytes = line.toByteArray();
      int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
      return decoder.decode(java.nio.ByteBuffer.wrap(bytes, 0, n)).toString();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /**
   * The documents of the files in order, opening one file at a time when the stream reaches it.
   * Closing the stream closes the open file.
   */
  static Stream<Document> stream(List<Path> files, Opener opener) {
    Chain chain = new Chain(files, opener);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(chain, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(chain::close);
  }

  private static final class Chain implements Iterator<Document> {
    private final Iterator<Path> files;
    private final Opener opener;
    private FileDocuments current;

    Chain(List<Path> files, Opener opener) {
      this.files = List.copyOf(files).iterator();
      this.opener = opener;
    }

    @Override
    public boolean hasNext() {
      while (current == null || !current.hasNext()) {
        close();
        if (!files.hasNext()) {
          return false;
        }
        Path file = files.next();
        try {
          current = opener.open(file);
        } catch (NoSuchFileException e) {
          throw new UncheckedIOException("text file not found: " + file.toAbsolutePath(), e);
        } catch (IOException e) {
          throw new UncheckedIOException("could not open " + file + ": " + e.getMessage(), e);
        }
      }
      return true;
    }

    @Override
    public Document next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }

    void close() {
      if (current != null) {
        try {
          current.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          current = null;
        }
      }
    }
  }
}
