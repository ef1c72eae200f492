package io.github.ssl4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class IdxReaderTest {
  @TempDir Path dir;

  private static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(data);
    return bytes.toByteArray();
  }

  private Path write(String name, byte[] content, boolean gzip) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
      out.write(content);
    }
    return p;
  }

  private static byte[] pixels(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 37);
    }
    return b;
  }

  @Test
  void readsRawAndGzippedImagesScaledToUnitRange() throws IOException {
    byte[] content = idx(0x803, new int[] {3, 2, 4}, pixels(24));
    for (boolean gz : new boolean[] {false, true}) {
      INDArray img = IdxReader.readImages(write("img" + gz, content, gz), -1);
      assertArrayEquals(new long[] {3, 1, 2, 4}, img.shape());
      assertEquals((pixels(24)[5] & 0xff) / 255f, img.getFloat(0, 0, 1, 1), 0f);
      assertEquals((pixels(24)[23] & 0xff) / 255f, img.getFloat(2, 0, 1, 3), 0f);
    }
  }

  @Test
  void readsLabelsAndHonoursLimit() throws IOException {
    Path p = write("labels.gz", idx(0x801, new int[] {5}, new byte[] {0, 9, 3, (byte) 200, 1}), true);
    assertArrayEquals(new int[] {0, 9, 3, 200, 1}, IdxReader.readLabels(p, -1));
    assertArrayEquals(new int[] {0, 9}, IdxReader.readLabels(p, 2));
  }

  @Test
  void truncatedFileIsRejectedWithCounts() throws IOException {
    byte[] content = idx(0x803, new int[] {3, 2, 4}, pixels(24));
    Path p = write("trunc.gz", Arrays.copyOf(content, content.length - 5), true);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IdxReader.readImages(p, -1));
    assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("19 of the 24"), e.getMessage());
  }

  @Test
  void wrongMagicAndWrongKindAreRejected() throws IOException {
    Path bad = write("bad", "hello world, not idx".getBytes(), false);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IdxReader.readImages(bad, -1));
    assertTrue(e.getMessage().contains("magic number"), e.getMessage());

    Path labels = write("labels", idx(0x801, new int[] {2}, new byte[] {1, 2}), false);
    e = assertThrows(IllegalArgumentException.class, () -> IdxReader.readImages(labels, -1));
    assertTrue(e.getMessage().contains("labels file"), e.getMessage());

    Path empty = write("empty", new byte[0], false);
    e = assertThrows(IllegalArgumentException.class, () -> IdxReader.readLabels(empty, -1));
    assertTrue(e.getMessage().contains("shorter"), e.getMessage());
  }

  @Test
  void missingFileSaysSo() {
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> IdxReader.read(dir.resolve("nope.gz"), -1));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }
}
