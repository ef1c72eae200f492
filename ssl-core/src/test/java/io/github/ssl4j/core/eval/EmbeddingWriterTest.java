package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.TestGraphs;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.encoders.MlpEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class EmbeddingWriterTest {
  private static final MlpEncoder MLP = MlpEncoder.builder(6).hiddenWidths(5, 3).build();
  private static PretrainedEncoder encoder;
  private static INDArray data;

  @TempDir Path dir;

  @BeforeAll
  static void setUp() {
    encoder = PretrainedEncoder.from(TestGraphs.pretrained(MLP, 3), MLP, TestGraphs.metadata(MLP));
    Nd4j.getRandom().setSeed(11);
    data = Nd4j.rand(DataType.FLOAT, 23, 6);
  }

  private static String id(long i) {
    return i == 4 ? "has,comma \"quoted\"" : "img-" + i + ".png";
  }

  @Test
  void npyHoldsAFloat32ArrayOfShapeNByDAndTheIdsFileOneIdPerRow() throws IOException {
    Path npy = dir.resolve("out/emb.npy");
    long n = EmbeddingWriter.of(encoder, 5).writeNpy(new ArraySource(data), EmbeddingWriterTest::id, npy);
    assertEquals(23, n);
    byte[] bytes = Files.readAllBytes(npy);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals((byte) 0x93, b.get());
    byte[] magic = new byte[5];
    b.get(magic);
    assertEquals("NUMPY", new String(magic, StandardCharsets.US_ASCII));
    assertEquals(1, b.get());
    assertEquals(0, b.get());
    int headerLength = b.getShort() & 0xffff;
    assertEquals(0, (10 + headerLength) % 64, "data starts 64-byte aligned");
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (23, 3), }"), header);
    assertTrue(header.endsWith("\n"));
    assertEquals(10 + headerLength + 23 * 3 * 4, bytes.length);
    b.position(10 + headerLength);
    float[][] expected = encoder.embed(data).toFloatMatrix();
    for (int i = 0; i < 23; i++) {
      for (int j = 0; j < 3; j++) {
        // batches of 5 against one of 23: matrix products may sum in another order
        assertEquals(expected[i][j], b.getFloat(), 1e-6f * (1 + Math.abs(expected[i][j])), "row " + i + " column " + j);
      }
    }
    List<String> ids = Files.readAllLines(EmbeddingWriter.idsFile(npy));
    assertEquals(23, ids.size());
    assertEquals("img-0.png", ids.get(0));
    assertEquals("has,comma \"quoted\"", ids.get(4));
    assertEquals(dir.resolve("out/emb.ids.txt"), EmbeddingWriter.idsFile(npy));
  }

  @Test
  void csvHasAHeaderAndOneRowOfIdPlusDValuesPerExample() throws IOException {
    Path csv = dir.resolve("emb.csv");
    EmbeddingWriter.of(encoder, 7).writeCsv(new ArraySource(data), EmbeddingWriterTest::id, csv);
    List<String> lines = Files.readAllLines(csv);
    assertEquals(24, lines.size());
    assertEquals("id,e0,e1,e2", lines.get(0));
    float[][] expected = encoder.embed(data).toFloatMatrix();
    for (int i = 0; i < 23; i++) {
      String line = lines.get(i + 1);
      String[] cells;
      if (i == 4) {
        assertTrue(line.startsWith("\"has,comma \"\"quoted\"\"\","), line);
        cells = line.substring(line.lastIndexOf('"') + 2).split(",");
        assertEquals(3, cells.length);
      } else {
        cells = line.split(",");
        assertEquals(4, cells.length, line);
        assertEquals(id(i), cells[0]);
        cells = java.util.Arrays.copyOfRange(cells, 1, 4);
      }
      for (int j = 0; j < 3; j++) {
        assertEquals(expected[i][j], Float.parseFloat(cells[j]), 1e-6f * (1 + Math.abs(expected[i][j])));
      }
    }
  }

  @Test
  void aFailingSourceLeavesTheEarlierFilesUnchanged() throws IOException {
    Path npy = dir.resolve("emb.npy");
    Path csv = dir.resolve("emb.csv");
    EmbeddingWriter writer = EmbeddingWriter.of(encoder, 5);
    writer.writeNpy(new ArraySource(data), String::valueOf, npy);
    writer.writeCsv(new ArraySource(data), String::valueOf, csv);
    byte[] npyBefore = Files.readAllBytes(npy);
    byte[] idsBefore = Files.readAllBytes(EmbeddingWriter.idsFile(npy));
    byte[] csvBefore = Files.readAllBytes(csv);
    ExampleSource failing = new ExampleSource() {
      @Override
      public long size() {
        return 23;
      }

      @Override
      public INDArray get(long[] indices) {
        if (indices[0] >= 10) {
          throw new IllegalArgumentException("example " + indices[0] + " cannot be read");
        }
        return data.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(indices[0], indices[0] + indices.length));
      }
    };
    assertThrows(IllegalArgumentException.class, () -> writer.writeNpy(failing, String::valueOf, npy));
    assertThrows(IllegalArgumentException.class, () -> writer.writeCsv(failing, String::valueOf, csv));
    assertArrayEquals(npyBefore, Files.readAllBytes(npy));
    assertArrayEquals(idsBefore, Files.readAllBytes(EmbeddingWriter.idsFile(npy)));
    assertArrayEquals(csvBefore, Files.readAllBytes(csv));
    try (var files = Files.list(dir)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files removed");
    }
    assertThrows(IllegalArgumentException.class, () -> EmbeddingWriter.of(encoder, 0));
  }
}
