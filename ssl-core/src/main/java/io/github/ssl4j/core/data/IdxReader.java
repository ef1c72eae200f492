package io.github.ssl4j.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads unsigned-byte IDX files (MNIST, Fashion-MNIST), gzipped or raw.
 *
 * <p>The magic number, the dimensions and the data length are validated both ways: a file is read
 * to its end (also with a {@code limit}), so a truncated file, bytes after the declared data and
 * a gzip file whose checksum (CRC-32) or length does not match get an {@link
 * IllegalArgumentException} naming the file, what was found and what was expected.
 *
 * <pre>{@code
 * INDArray images = IdxReader.readImages(dir.resolve("train-images-idx3-ubyte.gz"), -1); // [60000, 1, 28, 28] in [0,1]
 * int[] labels = IdxReader.readLabels(dir.resolve("train-labels-idx1-ubyte.gz"), -1);
 * }</pre>
 */
public final class IdxReader {
  /** IDX type code for unsigned bytes. */
  private static final int UBYTE = 0x08;

  private IdxReader() {}

  /** A parsed IDX file: dimensions and raw unsigned bytes. */
  public record Idx(int[] dims, byte[] data) {
    /** Number of items (the first dimension). */
    public int count() {
      return dims[0];
    }
  }

  /**
   * Reads an IDX file of unsigned bytes.
   *
   * @param file path to a {@code .gz} or raw IDX file
   * @param limit read at most this many items (first dimension); -1 for all
   */
  public static Idx read(Path file, int limit) {
    java.util.Objects.requireNonNull(file, "file (the path of an IDX file) is null");
    try (InputStream raw = Files.newInputStream(file)) {
      return read(raw, file.toString(), limit);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("IDX file not found: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read IDX file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads an IDX stream of unsigned bytes (gzipped or raw) to its end; the stream is not closed.
   *
   * @param source name used in error messages (file name or resource)
   * @param limit read at most this many items (first dimension); -1 for all
   */
  public static Idx read(InputStream stream, String source, int limit) {
    java.util.Objects.requireNonNull(stream, "stream");
    if (limit < -1) {
      throw new IllegalArgumentException(
          "limit must be -1 (all items) or >= 0, got " + limit + " for " + source);
    }
    try {
      DataInputStream in = new DataInputStream(maybeGunzip(new BufferedInputStream(stream, 1 << 16)));
      int magic;
      try {
        magic = in.readInt();
      } catch (EOFException e) {
        throw corrupt(source, "the file is shorter than the 4-byte IDX header");
      }
      if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UBYTE) {
        throw corrupt(
            source,
            String.format(
                "magic number 0x%08X is not an unsigned-byte IDX header (expected 0x000008NN, e.g."
                    + " 0x00000803 for images, 0x00000801 for labels)",
                magic));
      }
      int ndim = magic & 0xff;
      if (ndim < 1 || ndim > 4) {
        throw corrupt(source, "IDX header declares " + ndim + " dimensions; expected 1 to 4");
      }
      int[] dims = new int[ndim];
      long itemSize = 1;
      for (int i = 0; i < ndim; i++) {
        try {
          dims[i] = in.readInt();
        } catch (EOFException e) {
          throw corrupt(source, "the header ends after " + i + " of " + ndim + " dimensions");
        }
        if (dims[i] <= 0) {
          throw corrupt(source, "dimension " + i + " is " + dims[i] + "; expected > 0");
        }
        if (i > 0) {
          itemSize *= dims[i];
        }
      }
      int count = limit < 0 ? dims[0] : Math.min(limit, dims[0]);
      long length = itemSize * count;
      if (length > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            source + ": " + count + " items of " + itemSize + " bytes do not fit one array; pass a limit");
      }
      byte[] data = new byte[(int) length];
      int read = in.readNBytes(data, 0, data.length);
      if (read < data.length) {
        throw corrupt(
            source,
            "truncated: header declares " + Arrays.toString(dims) + " (" + itemSize * dims[0]
                + " data bytes) but only " + read + " of the " + data.length + " needed bytes are there");
      }
      // the rest of the declared data, then the end: a gzip member's CRC and length are only
      // checked once the stream is read to its end, and trailing bytes mean a wrong header
      long rest = itemSize * (dims[0] - (long) count);
      long skipped = skip(in, rest);
      if (skipped < rest) {
        throw corrupt(
            source,
            "truncated: header declares " + Arrays.toString(dims) + " (" + itemSize * dims[0]
                + " data bytes) but only " + (length + skipped) + " data bytes are there");
      }
      long trailing = drain(in);
      if (trailing > 0) {
        throw corrupt(
            source,
            "header declares " + Arrays.toString(dims) + " (" + itemSize * dims[0] + " data bytes)"
                + " but " + trailing + " more byte" + (trailing == 1 ? " follows" : "s follow")
                + " the data; expected the file to end there");
      }
      int[] outDims = dims.clone();
      outDims[0] = count;
      return new Idx(outDims, data);
    } catch (java.util.zip.ZipException e) {
      throw corrupt(source, "the gzip data is corrupt (" + e.getMessage() + ")");
    } catch (EOFException e) {
      throw corrupt(source, "the gzip stream ends early (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("could not read IDX data " + source + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads an image file ([n, rows, cols]) as floats scaled to [0, 1].
   *
   * @return shape [n, 1, rows, cols], FLOAT
   */
  public static INDArray readImages(Path file, int limit) {
    return images(read(file, limit), file.toString());
  }

  /**
   * Converts a parsed image file ([n, rows, cols]) to floats scaled to [0, 1].
   *
   * @return shape [n, 1, rows, cols], FLOAT
   */
  public static INDArray images(Idx idx, String source) {
    long[] shape = imageShape(idx, source);
    float[] values = new float[idx.data().length];
    for (int i = 0; i < values.length; i++) {
      values[i] = (idx.data()[i] & 0xff) / 255f;
    }
    return Nd4j.create(values, shape, DataType.FLOAT);
  }

  /**
   * Reads an image file ([n, rows, cols]) as its 8-bit pixels, unscaled: a quarter of the memory
   * of {@link #readImages}; {@link ArraySource#eightBit} scales them batch by batch.
   *
   * @return shape [n, 1, rows, cols], UBYTE, values 0..255
   */
  public static INDArray readPixels(Path file, int limit) {
    return pixels(read(file, limit), file.toString());
  }

  /**
   * A parsed image file ([n, rows, cols]) as its 8-bit pixels, unscaled.
   *
   * @return shape [n, 1, rows, cols], UBYTE, values 0..255
   */
  public static INDArray pixels(Idx idx, String source) {
    long[] shape = imageShape(idx, source);
    return Nd4j.create(Nd4j.createTypedBuffer(idx.data(), DataType.UBYTE), shape);
  }

  private static long[] imageShape(Idx idx, String source) {
    Objects.requireNonNull(idx, "idx");
    Objects.requireNonNull(source, "source");
    if (idx.dims().length != 3) {
      throw new IllegalArgumentException(
          source + " holds an IDX array of shape " + Arrays.toString(idx.dims())
              + "; an image file has 3 dimensions [n, rows, cols] (did you pass a labels file?)");
    }
    return new long[] {idx.dims()[0], 1, idx.dims()[1], idx.dims()[2]};
  }

  /** Reads a label file ([n]) as class indices. */
  public static int[] readLabels(Path file, int limit) {
    return labels(read(file, limit), file.toString());
  }

  /** Converts a parsed label file ([n]) to class indices. */
  public static int[] labels(Idx idx, String source) {
    Objects.requireNonNull(idx, "idx");
    Objects.requireNonNull(source, "source");
    if (idx.dims().length != 1) {
      throw new IllegalArgumentException(
          source + " holds an IDX array of shape " + Arrays.toString(idx.dims())
              + "; a label file has 1 dimension [n] (did you pass an images file?)");
    }
    int[] labels = new int[idx.data().length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = idx.data()[i] & 0xff;
    }
    return labels;
  }

  /** Skips up to {@code n} bytes; returns how many were there. */
  private static long skip(InputStream in, long n) throws IOException {
    byte[] buf = new byte[1 << 16];
    long done = 0;
    while (done < n) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  /** Reads to the end of the stream; returns the number of bytes read. */
  private static long drain(InputStream in) throws IOException {
    return skip(in, Long.MAX_VALUE);
  }

  private static InputStream maybeGunzip(InputStream in) throws IOException {
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      return new GZIPInputStream(in, 1 << 16);
    }
    return in;
  }

  private static IllegalArgumentException corrupt(String file, String what) {
    return new IllegalArgumentException(
        "Not a valid IDX file: " + file + ": " + what
            + ". Re-download or re-install the data set (e.g. apt-get install --reinstall"
            + " dataset-fashion-mnist).");
  }
}
