package io.github.ssl4j.core.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads documents from one column of CSV files with a header row (RFC 4180: comma-separated,
 * double-quoted fields may hold commas, quotes ({@code ""}) and line breaks), parsed by Apache
 * Commons CSV. Streamed: one record in memory at a time. Immutable; {@code with...} methods return
 * a changed copy.
 *
 * <pre>{@code
 * try (Stream<Document> docs = CsvColumnReader.column("description").stream(Path.of("tickets.csv"))) {
 *   docs.forEach(...);
 * }
 * }</pre>
 *
 * <p>A folder is read non-recursively: its files ending in {@code .csv} (see {@link
 * #withExtension}) in sorted name order, hidden files skipped. Each file's first row names the
 * columns; every later record is one document, empty cells included (an empty text). A document's
 * {@link Document#source()} is {@code file:line} (the line where its record starts). Errors name the
 * file and line: a header without the column, a record with fewer cells than the header, a
 * malformed quote ({@link IllegalArgumentException}), bytes not valid in the charset ({@link
 * UncheckedIOException}).
 *
 * @see JsonLinesReader
 */
public final class CsvColumnReader {
  private final String column;
  private final String labelColumn;
  private final String extension;
  private final Charset charset;
  private final char delimiter;

  private CsvColumnReader(String column, String labelColumn, String extension, Charset charset, char delimiter) {
    this.column = column;
    this.labelColumn = labelColumn;
    this.extension = extension;
    this.charset = charset;
    this.delimiter = delimiter;
  }

  /** Reads the text from the column with this header name (exact, case-sensitive). */
  public static CsvColumnReader column(String column) {
    return new CsvColumnReader(checkName(column, "column"), null, "csv", StandardCharsets.UTF_8, ',');
  }

  /** Also reads each document's label from this column. */
  public CsvColumnReader withLabelColumn(String labelColumn) {
    return new CsvColumnReader(column, checkName(labelColumn, "labelColumn"), extension, charset, delimiter);
  }

  /** Reads the files of a folder whose names end with {@code "." + extension}; default {@code csv}. */
  public CsvColumnReader withExtension(String extension) {
    Objects.requireNonNull(extension, "extension");
    if (extension.isEmpty() || extension.startsWith(".")) {
      throw new IllegalArgumentException(
          "extension must be non-empty and without the leading dot, got '" + extension + "'; e.g. \"csv\"");
    }
    return new CsvColumnReader(column, labelColumn, extension, charset, delimiter);
  }

  /** Separates cells with this character instead of ',' (e.g. '\t' or ';'). */
  public CsvColumnReader withDelimiter(char delimiter) {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
      throw new IllegalArgumentException("delimiter cannot be a quote or line break, got '" + delimiter + "'");
    }
    return new CsvColumnReader(column, labelColumn, extension, charset, delimiter);
  }

  /** Decodes files in this charset (default UTF-8). */
  public CsvColumnReader withCharset(Charset charset) {
    return new CsvColumnReader(column, labelColumn, extension, Objects.requireNonNull(charset, "charset"), delimiter);
  }

  private static String checkName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty()) {
      throw new IllegalArgumentException(what + " must be a non-empty header name, e.g. \"text\"");
    }
    return name;
  }

  /**
   * The documents of a file or of a folder's matching files, read lazily; close the stream to
   * close the open file.
   *
   * @throws UncheckedIOException if the path does not exist (at once) or a file cannot be read
   * @throws IllegalArgumentException if a folder has no matching file (at once), or a file is bad
   *     (while streaming; the message names the file and line)
   */
  public Stream<Document> stream(Path path) {
    Objects.requireNonNull(path, "path");
    return TextFiles.stream(TextFiles.list(path, extension), this::open);
  }

  /**
   * All documents of a file or folder, in order.
   *
   * @throws IllegalArgumentException as {@link #stream}, and if there is no record
   */
  public List<Document> read(Path path) {
    List<Document> docs;
    try (Stream<Document> s = stream(path)) {
      docs = s.toList();
    }
    if (docs.isEmpty()) {
      throw new IllegalArgumentException(path.toAbsolutePath() + " holds no CSV record below the header");
    }
    return docs;
  }

  private TextFiles.FileDocuments open(Path file) throws IOException {
    BufferedReader in = TextFiles.open(file, charset);
    CSVFormat format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setHeader().setSkipHeaderRecord(true)
        .setAllowDuplicateHeaderNames(false).build();
    CSVParser parser;
    try {
      parser = CSVParser.parse(in, format);
    } catch (IllegalArgumentException e) {
      in.close();
      throw new IllegalArgumentException(file + ":1: bad CSV header: " + e.getMessage(), e);
    } catch (IOException e) {
      in.close();
      throw wrap(file, 1, e);
    }
    Map<String, Integer> header = parser.getHeaderMap();
    int textIndex = index(file, header, column, "column");
    int labelIndex = labelColumn == null ? -1 : index(file, header, labelColumn, "labelColumn");
    String name = file.getFileName().toString();
    Iterator<CSVRecord> records = parser.iterator();
    return new TextFiles.FileDocuments() {
      private long line = parser.getCurrentLineNumber() + 1;

      @Override
      public boolean hasNext() {
        try {
          return records.hasNext();
        } catch (UncheckedIOException e) {
          throw rethrow(e);
        } catch (IllegalStateException e) {
          if (e.getCause() instanceof CharacterCodingException io) {
            throw wrap(file, parser.getCurrentLineNumber() + 1, io);
          }
          throw new IllegalArgumentException(file + " near line " + (parser.getCurrentLineNumber() + 1)
              + " is not valid CSV: " + e.getMessage() + "; fields with commas, quotes or line breaks must be"
              + " enclosed in double quotes, quotes inside doubled", e);
        }
      }

      @Override
      public Document next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        CSVRecord r = records.next();
        long start = line;
        line = parser.getCurrentLineNumber() + 1;
        int needed = Math.max(textIndex, labelIndex) + 1;
        if (r.size() < needed) {
          throw new IllegalArgumentException(file + ":" + start + " has " + r.size() + " cells but the column \""
              + (textIndex >= labelIndex ? column : labelColumn) + "\" is cell " + needed + " of the header "
              + header.keySet() + "; every record needs a cell for it (an empty one: \"\")");
        }
        return new Document(r.get(textIndex), labelIndex < 0 ? null : r.get(labelIndex), name + ":" + start);
      }

      private RuntimeException rethrow(UncheckedIOException e) {
        return wrap(file, parser.getCurrentLineNumber() + 1, e.getCause());
      }

      @Override
      public void close() throws IOException {
        parser.close();
      }
    };
  }

  private RuntimeException wrap(Path file, long line, IOException e) {
    if (e instanceof CharacterCodingException) {
      return new UncheckedIOException(file + " near line " + line + " is not valid " + charset.name() + " (" + e
          + "); convert it or pass its charset with withCharset(...)", e);
    }
    return new UncheckedIOException("could not read " + file + " near line " + line + ": " + e.getMessage(), e);
  }

  private static int index(Path file, Map<String, Integer> header, String name, String what) {
    Integer i = header == null ? null : header.get(name);
    if (i == null) {
      throw new IllegalArgumentException(file + ":1: the header has no column \"" + name + "\"; its columns are "
          + (header == null ? "[]" : header.keySet()) + ". Pass one of them as the " + what);
    }
    return i;
  }
}
