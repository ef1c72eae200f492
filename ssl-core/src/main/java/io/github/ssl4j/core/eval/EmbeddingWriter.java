package io.github.ssl4j.core.eval;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.io.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Embeds a whole {@link ExampleSource} with a {@link PretrainedEncoder} and streams the vectors to a
 * file, a batch at a time: memory holds two batches (the one being embedded and the next one, read
 * on a background thread), whatever the number of examples.
 *
 * <pre>{@code
 * EmbeddingWriter writer = EmbeddingWriter.of(PretrainedEncoder.load(Path.of("encoder.zip")), 256);
 * writer.writeCsv(images, images::id, Path.of("embeddings.csv"));   // id,e0,...,e127
 * writer.writeNpy(images, images::id, Path.of("embeddings.npy"));   // float32 [n, 128] + embeddings.ids.txt
 * }</pre>
 *
 * <p>Formats, for n examples and a representation of d values:
 * <ul>
 *   <li><b>CSV</b> (RFC 4180, UTF-8, '\n' line ends): a header {@code id,e0,...,e<d-1>}, then one row
 *       per example in source order: its id (quoted when it holds a comma, a quote or a line break)
 *       and d values printed with {@link Float#toString} (shortest decimal that reads back to the
 *       same float).
 *   <li><b>NPY</b> (NumPy format version 1.0): {@code numpy.load} gives a float32 little-endian
 *       C-order array of shape (n, d); the ids go to a text file next to it ({@link #idsFile}), one
 *       per line, in the same order.
 * </ul>
 *
 * <p>Each file is written under a temporary name and renamed into place ({@link AtomicFiles}): a
 * failure (unreadable example, full disk) leaves an existing file unchanged. For NPY the ids file
 * is renamed first, then the array; a failure before the renames changes neither.
 */
public final class EmbeddingWriter {
  private final PretrainedEncoder encoder;
  private final int batchSize;

  private EmbeddingWriter(PretrainedEncoder encoder, int batchSize) {
    this.encoder = encoder;
    this.batchSize = batchSize;
  }

  /**
   * @param encoder the encoder; the source's examples must match its {@link
   *     PretrainedEncoder#inputType()}
   * @param batchSize examples per forward pass, &gt;= 1 (e.g. 256)
   * @throws IllegalArgumentException if {@code batchSize < 1}
   */
  public static EmbeddingWriter of(PretrainedEncoder encoder, int batchSize) {
    Objects.requireNonNull(encoder, "encoder");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize + "; e.g. 256");
    }
    return new EmbeddingWriter(encoder, batchSize);
  }

  /** The ids file written next to an NPY file: {@code x.npy} gives {@code x.ids.txt}. */
  public static Path idsFile(Path npy) {
    java.util.Objects.requireNonNull(npy, "npy");
    String name = npy.getFileName().toString();
    String stem = name.toLowerCase(java.util.Locale.ROOT).endsWith(".npy")
        ? name.substring(0, name.length() - 4) : name;
    return npy.resolveSibling(stem + ".ids.txt");
  }

  /** Receives the embedded batches in order. */
  private interface Sink {
    void batch(long from, float[][] rows) throws IOException;
  }

  /**
   * Writes a CSV file of ids and vectors.
   *
   * @param source the examples, in encoder input layout
   * @param ids the id of each example index (e.g. {@code ImageFolderSource::id}, or {@code
   *     String::valueOf})
   * @param csv the file to create or replace
   * @return the number of rows written (the source's size)
   * @throws IllegalArgumentException if the examples do not match the encoder's input
   * @throws UncheckedIOException if the file cannot be written (the message names it)
   */
  public long writeCsv(ExampleSource source, LongFunction<String> ids, Path csv) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(csv, "csv");
    int d = encoder.representationSize();
    try {
      AtomicFiles.write(csv, out -> {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        StringBuilder header = new StringBuilder("id");
        for (int j = 0; j < d; j++) {
          header.append(",e").append(j);
        }
        w.write(header.append('\n').toString());
        embedAll(source, (from, rows) -> {
          StringBuilder line = new StringBuilder();
          for (int i = 0; i < rows.length; i++) {
            line.setLength(0);
            line.append(csvField(ids.apply(from + i)));
            for (float v : rows[i]) {
              line.append(',').append(v);
            }
            w.write(line.append('\n').toString());
          }
        });
        w.flush();
      });
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the embeddings to " + csv.toAbsolutePath() + ": "
          + e.getMessage() + "; check that the directory is writable and the disk has space", e);
    }
    return source.size();
  }

  /**
   * Writes an NPY file (float32, shape [n, d]) and its ids file ({@link #idsFile}).
   *
   * @param source the examples, in encoder input layout
   * @param ids the id of each example index
   * @param npy the array file to create or replace
   * @return the number of rows written (the source's size)
   * @throws IllegalArgumentException if the examples do not match the encoder's input
   * @throws UncheckedIOException if a file cannot be written (the message names it)
   */
  public long writeNpy(ExampleSource source, LongFunction<String> ids, Path npy) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(npy, "npy");
    long n = source.size();
    int d = encoder.representationSize();
    Path idsFile = idsFile(npy);
    try {
      AtomicFiles.write(npy, arrayOut -> AtomicFiles.write(idsFile, idsOut -> {
        OutputStream array = new BufferedOutputStream(arrayOut, 1 << 16);
        Writer names = new BufferedWriter(new OutputStreamWriter(idsOut, StandardCharsets.UTF_8), 1 << 16);
        array.write(npyHeader(n, d));
        ByteBuffer row = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
        embedAll(source, (from, rows) -> {
          for (int i = 0; i < rows.length; i++) {
            row.clear();
            for (float v : rows[i]) {
              row.putFloat(v);
            }
            array.write(row.array(), 0, row.position());
            String id = ids.apply(from + i);
            if (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0) {
              throw new IllegalArgumentException("The id of example " + (from + i) + " holds a line break ("
                  + id.replace("\n", "\\n").replace("\r", "\\r") + "); the ids file has one id per line");
            }
            names.write(id);
            names.write('\n');
          }
        });
        array.flush();
        names.flush();
      }));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the embeddings to " + npy.toAbsolutePath() + " and "
          + idsFile.getFileName() + ": " + e.getMessage()
          + "; check that the directory is writable and the disk has space", e);
    }
    return n;
  }

  /**
   * The NPY 1.0 header for a float32 little-endian C-order array of shape (n, d): magic, version,
   * header length, the header dictionary padded with spaces and a newline to a multiple of 64 bytes.
   */
  static byte[] npyHeader(long n, int d) {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + n + ", " + d + "), }";
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    StringBuilder sb = new StringBuilder(dict);
    while (10 + sb.length() + 1 < total) {
      sb.append(' ');
    }
    sb.append('\n');
    byte[] text = sb.toString().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) text.length).put(text);
    return b.array();
  }

  /** Embeds the source batch by batch, reading the next batch on a background thread. */
  private void embedAll(ExampleSource source, Sink sink) throws IOException {
    long n = source.size();
    ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ssl4j-embed-read");
      t.setDaemon(true);
      return t;
    });
    try {
      CompletableFuture<INDArray> next = read(source, 0, n, reader);
      for (long from = 0; from < n; from += batchSize) {
        INDArray batch = join(next, from);
        long following = from + batchSize;
        next = following < n ? read(source, following, n, reader) : null;
        INDArray z = encoder.embed(batch);
        if (z.size(1) != encoder.representationSize()) {
          throw new IllegalStateException("The encoder produced vectors of " + z.size(1)
              + " values, but its metadata says " + encoder.representationSize());
        }
        sink.batch(from, z.castTo(DataType.FLOAT).toFloatMatrix());
      }
    } finally {
      reader.shutdownNow();
    }
  }

  private CompletableFuture<INDArray> read(ExampleSource source, long from, long n, ExecutorService reader) {
    return CompletableFuture.supplyAsync(() -> {
      int count = (int) Math.min(batchSize, n - from);
      long[] idx = new long[count];
      for (int i = 0; i < count; i++) {
        idx[i] = from + i;
      }
      return source.get(idx);
    }, reader);
  }

  private static INDArray join(CompletableFuture<INDArray> f, long from) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("Reading examples from " + from + " failed: " + e.getCause(), e.getCause());
    }
  }

  /** An RFC 4180 field: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
  static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
