package io.github.ssl4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.encoders.MlpEncoder;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PretrainedEncoderTest {
  @TempDir Path dir;

  private static final ConvEncoder CONV =
      ConvEncoder.builder(8, 8, 1).channelWidths(3, 4).globalPool(false).build();
  /** Shared by tests that only read it. */
  private static PretrainedEncoder shared;

  @BeforeAll
  static void setUp() {
    shared = PretrainedEncoder.from(TestGraphs.pretrained(CONV, 4), CONV, TestGraphs.metadata(CONV));
  }

  @Test
  void embedMatchesTrainedGraphAndSurvivesSaveLoadBitIdentically() throws Exception {
    ComputationGraph trained = TestGraphs.pretrained(CONV, 1);
    PretrainedEncoder enc = PretrainedEncoder.from(trained, CONV, TestGraphs.metadata(CONV));
    assertEquals(VertexNames.REPRESENTATION, enc.representationVertex());
    INDArray x = Nd4j.rand(DataType.FLOAT, 5, 1, 8, 8);
    INDArray z = enc.embed(x);
    assertArrayEquals(new long[] {5, 4}, z.shape());
    assertEquals(trained.feedForward(x, false).get(VertexNames.REPRESENTATION), z);
    // BN running mean moved during training and came along
    assertEquals(trained.getLayer("encoder/bn1").getParam("mean"), enc.graph().getLayer("encoder/bn1").getParam("mean"));
    assertNotEquals(0.0, enc.graph().getLayer("encoder/bn1").getParam("mean").norm2Number().doubleValue());

    Path file = dir.resolve("enc.zip");
    enc.save(file);
    PretrainedEncoder back = PretrainedEncoder.load(file);
    assertArrayEquals(z.data().asFloat(), back.embed(x).data().asFloat());
    assertEquals(enc.metadata(), back.metadata());
    assertEquals(enc.inputType(), back.inputType());
    assertEquals(enc.representationVertex(), back.representationVertex());
    // plain DL4J can restore it
    ComputationGraph plain = ModelSerializer.restoreComputationGraph(file.toFile(), false);
    assertEquals(z, plain.outputSingle(false, x));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void batchedEmbedEqualsOneCallAndRejectsBadBatchSize() {
    Nd4j.getRandom().setSeed(4);
    INDArray x = Nd4j.rand(DataType.FLOAT, 7, 1, 8, 8);
    INDArray whole = shared.embed(x);
    for (int batch : new int[] {1, 3, 7, 100}) {
      INDArray z = shared.embed(x, batch);
      assertArrayEquals(whole.shape(), z.shape(), "batch " + batch);
      assertArrayEquals(whole.data().asFloat(), z.data().asFloat(), 1e-6f, "batch " + batch);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shared.embed(x, 0));
    assertTrue(e.getMessage().contains("batchSize must be >= 1, got 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> shared.embed(Nd4j.rand(DataType.FLOAT, 3, 64), 2));
  }

  @Test
  void trainedGraphIsNotShared() {
    ComputationGraph trained = TestGraphs.pretrained(CONV, 2);
    INDArray before = trained.params().dup();
    PretrainedEncoder enc = PretrainedEncoder.from(trained, CONV, TestGraphs.metadata(CONV));
    enc.graph().getLayer("encoder/conv1").getParam("W").addi(1.0);
    assertEquals(before, trained.params());
  }

  @Test
  void missingOrMismatchedVertexNamed() {
    MlpEncoder small = MlpEncoder.builder(6).hiddenWidths(5, 4).build();
    ComputationGraph trained = TestGraphs.pretrained(small, 3);
    MlpEncoder deeper = MlpEncoder.builder(6).hiddenWidths(5, 4, 3).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainedEncoder.from(trained, deeper, TestGraphs.metadata(deeper)));
    assertTrue(e.getMessage().contains("'encoder/dense3'"), e.getMessage());
    MlpEncoder wider = MlpEncoder.builder(6).hiddenWidths(7, 4).build();
    e = assertThrows(IllegalArgumentException.class,
        () -> PretrainedEncoder.from(trained, wider, TestGraphs.metadata(wider)));
    assertTrue(e.getMessage().contains("'encoder/dense1'") && e.getMessage().contains("[6, 5]"), e.getMessage());
  }

  @Test
  void wrongInputShapeMessage() {
    PretrainedEncoder enc = shared;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> enc.embed(Nd4j.rand(DataType.FLOAT, 3, 64)));
    assertTrue(e.getMessage().contains("'input'") && e.getMessage().contains("[3, 64]")
        && e.getMessage().contains("[batch, 1, 8, 8]") && e.getMessage().contains("reshape"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> enc.embed(Nd4j.rand(DataType.FLOAT, 3, 1, 8, 9)));
  }

  @Test
  void corruptFilesRejectedClearly() throws Exception {
    PretrainedEncoder enc = shared;
    Path good = dir.resolve("good.zip");
    enc.save(good);

    Path missing = dir.resolve("nope.zip");
    UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> PretrainedEncoder.load(missing));
    assertTrue(u.getMessage().contains("nope.zip"), u.getMessage());

    Path text = Files.writeString(dir.resolve("text.zip"), "hello, not a zip");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(text));
    assertTrue(e.getMessage().contains("text.zip") && e.getMessage().contains("not a readable zip"), e.getMessage());

    byte[] bytes = Files.readAllBytes(good);
    Path truncated = Files.write(dir.resolve("truncated.zip"), Arrays.copyOf(bytes, bytes.length / 2));
    e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(truncated));
    assertTrue(e.getMessage().contains("truncated.zip") && e.getMessage().contains("truncated"), e.getMessage());

    Path plain = dir.resolve("plain.zip");
    ModelSerializer.writeModel(enc.graph(), plain.toFile(), false);
    e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(plain));
    assertTrue(e.getMessage().contains(PretrainedEncoder.METADATA_ENTRY) && e.getMessage().contains("plain.zip"),
        e.getMessage());
  }

  @Test
  void freshCopyHasSameArchitectureNewParameters() {
    PretrainedEncoder enc = shared;
    ComputationGraph a = enc.freshCopy(11);
    ComputationGraph b = enc.freshCopy(11);
    assertEquals(enc.graph().getConfiguration().getVertices().keySet(), a.getConfiguration().getVertices().keySet());
    assertArrayEquals(enc.graph().params().shape(), a.params().shape());
    assertNotEquals(enc.graph().params(), a.params());
    assertEquals(a.params(), b.params(), "same seed, same initialisation");
    assertNotEquals(a.params(), enc.freshCopy(12).params());
  }

  @Test
  void freshCopyWithSeedZeroIsReproducible() {
    // ND4J takes seed 0 as "seed from the clock"; Seeds.forNd4j must keep 0 deterministic
    assertEquals(shared.freshCopy(0).params(), shared.freshCopy(0).params());
    assertNotEquals(shared.freshCopy(0).params(), shared.freshCopy(1).params());
  }
}
