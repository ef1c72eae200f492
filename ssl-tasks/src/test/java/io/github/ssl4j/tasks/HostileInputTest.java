package io.github.ssl4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.IdxReader;
import io.github.ssl4j.core.eval.KnnClassifier;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.eval.LinearProbe;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.text.Document;
import io.github.ssl4j.core.text.PlainTextReader;
import io.github.ssl4j.core.train.DivergenceLimits;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import io.github.ssl4j.tasks.contrastive.ProjectionHead;
import io.github.ssl4j.tasks.contrastive.augment.GaussianNoise;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.masked.MaskedImageTask;
import io.github.ssl4j.tasks.masked.RandomPatchMask;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Hostile inputs, one row each: corrupt data files, bad text corpora, bad configurations and
 * non-finite or collapsed arrays. Every row asserts the exception type and the key words of its
 * message — what was wrong, the value, what was expected — or the documented policy.
 */
class HostileInputTest {
  @TempDir static Path tmp;

  private static PretrainedEncoder encoder;

  /** A tiny convolutional encoder for 8x8 grey images, trained for two steps. */
  @BeforeAll
  static void trainTinyEncoder() {
    encoder = new Trainer(TrainingConfig.builder(4).maxSteps(2).progressBar(false).logEverySteps(0)
        .build()).fit(tinyContrastive(), TestData.tinyConv(8, 8, 1, 4), new ArraySource(images(8)))
        .pretrainedEncoder();
  }

  private static ContrastiveTask tinyContrastive() {
    return ContrastiveTask.builder().views(MultiViewTransform.of(new GaussianNoise(0.05), 2))
        .projectionHead(ProjectionHead.builder(4, 3).build()).build();
  }

  private static INDArray images(int n) {
    return TestData.images(n, 1, 8, 8, 3);
  }

  // ---- IDX files ------------------------------------------------------------------------------

  /** A raw IDX file: magic, dimensions, then {@code dataBytes} bytes (whatever the dims say). */
  private static byte[] idx(int magic, int[] dims, int dataBytes) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    for (int i = 0; i < dataBytes; i++) {
      b.put((byte) i);
    }
    return b.array();
  }

  private static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }

  private static Executable readIdx(byte[] bytes, int limit) {
    return () -> IdxReader.read(new ByteArrayInputStream(bytes), "test.idx", limit);
  }

  private static final int IMAGES = 0x00000803;
  private static final int[] DIMS = {3, 2, 2}; // 12 data bytes

  private static byte[] corruptCrc() {
    byte[] gz = gzip(idx(IMAGES, DIMS, 12));
    gz[gz.length - 8] ^= 0x5a; // first byte of the CRC-32 in the gzip trailer
    return gz;
  }

  private static byte[] truncatedGzip() {
    byte[] gz = gzip(idx(IMAGES, new int[] {50, 28, 28}, 50 * 28 * 28));
    return Arrays.copyOf(gz, gz.length / 2);
  }

  // ---- text -----------------------------------------------------------------------------------

  private static Path file(String name, byte[] content) {
    try {
      return Files.write(tmp.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- configurations -------------------------------------------------------------------------

  private static TrainingConfig.Builder config() {
    return TrainingConfig.builder(4).progressBar(false).logEverySteps(0);
  }

  private static Executable fitContrastive(TrainingConfig cfg, INDArray data) {
    return () -> new Trainer(cfg).fit(tinyContrastive(), TestData.tinyConv(8, 8, 1, 4),
        new ArraySource(data));
  }

  private static INDArray withNaN(INDArray x, long... at) {
    INDArray y = x.dup();
    y.putScalar(at, Double.NaN);
    return y;
  }

  private static Arguments row(String name, Class<? extends Throwable> type, Executable call,
      String... mentions) {
    return Arguments.of(name, type, call, List.of(mentions));
  }

  static Stream<Arguments> hostileInputs() {
    int[] labels10 = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    return Stream.of(
        // data files
        row("idx: wrong magic", IllegalArgumentException.class,
            readIdx(idx(0x00000903, DIMS, 12), -1), "test.idx", "magic number 0x00000903",
            "expected 0x000008NN"),
        row("idx: empty file", IllegalArgumentException.class, readIdx(new byte[0], -1),
            "shorter than the 4-byte IDX header"),
        row("idx: negative dimension", IllegalArgumentException.class,
            readIdx(idx(IMAGES, new int[] {3, -2, 2}, 0), -1), "dimension 1 is -2", "expected > 0"),
        row("idx: truncated", IllegalArgumentException.class, readIdx(idx(IMAGES, DIMS, 8), -1),
            "truncated", "[3, 2, 2]", "12 data bytes", "only 8"),
        row("idx: truncated beyond the limit", IllegalArgumentException.class,
            readIdx(idx(IMAGES, DIMS, 8), 1), "truncated", "12 data bytes", "only 8"),
        row("idx: trailing bytes", IllegalArgumentException.class,
            readIdx(idx(IMAGES, DIMS, 17), -1), "12 data bytes", "5 more bytes follow",
            "expected the file to end"),
        row("idx: trailing bytes with a limit", IllegalArgumentException.class,
            readIdx(idx(IMAGES, DIMS, 13), 2), "1 more byte follows"),
        row("idx.gz: corrupt CRC", IllegalArgumentException.class, readIdx(corruptCrc(), -1),
            "test.idx", "gzip data is corrupt"),
        row("idx.gz: corrupt CRC behind the limit", IllegalArgumentException.class,
            readIdx(corruptCrc(), 1), "gzip data is corrupt"),
        row("idx.gz: truncated", IllegalArgumentException.class, readIdx(truncatedGzip(), -1),
            "test.idx", "ends early"),
        row("idx.gz: trailing bytes", IllegalArgumentException.class,
            readIdx(gzip(idx(IMAGES, DIMS, 14)), -1), "2 more bytes follow"),
        row("idx: labels read as images", IllegalArgumentException.class,
            () -> IdxReader.images(IdxReader.read(new ByteArrayInputStream(
                idx(0x00000801, new int[] {12}, 12)), "labels.idx", -1), "labels.idx"),
            "labels.idx", "[12]", "3 dimensions", "labels file"),
        row("idx: null path", NullPointerException.class, () -> IdxReader.read((Path) null, -1),
            "file"),
        row("idx: negative limit", IllegalArgumentException.class,
            readIdx(idx(IMAGES, DIMS, 12), -5), "limit", "-5", ">= 0"),
        // text corpora
        row("text: empty file", IllegalArgumentException.class,
            () -> PlainTextReader.onePerLine().read(List.of(file("empty.txt", new byte[0]))),
            "empty.txt", "no non-blank line"),
        row("text: not UTF-8", UncheckedIOException.class,
            () -> PlainTextReader.onePerLine().read(List.of(file("latin1.txt",
                "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1)))),
            "latin1.txt", "not valid UTF-8", "withCharset"),
        row("text: empty file, one document per file", IllegalArgumentException.class,
            () -> PlainTextReader.onePerFile().read(List.of(file("empty-doc.txt", new byte[0]))),
            "empty-doc.txt", "no non-blank file"),
        row("text: cut inside a multi-byte character", UncheckedIOException.class,
            () -> PlainTextReader.onePerFile().read(List.of(file("cut.txt",
                Arrays.copyOf("caf\u00e9".getBytes(StandardCharsets.UTF_8), 4)))),
            "cut.txt", "not valid UTF-8"),
        row("text: UTF-16 read as UTF-8", IllegalArgumentException.class,
            () -> PlainTextReader.onePerLine().read(List.of(file("utf16.txt",
                "hello\nworld\n".getBytes(StandardCharsets.UTF_16LE)))),
            "utf16.txt", "NUL character at character 1", "withCharset(StandardCharsets.UTF_16LE)"),
        row("text: binary file", IllegalArgumentException.class,
            () -> PlainTextReader.onePerFile().read(List.of(file("binary.bin", new byte[] {'a', 0, 0, 1}))),
            "binary.bin", "NUL character"),
        row("text: missing file", UncheckedIOException.class,
            () -> PlainTextReader.onePerLine().read(List.of(tmp.resolve("missing.txt"))),
            "not found", "missing.txt"),
        // configurations: learning rates and schedules
        row("lr: NaN", IllegalArgumentException.class,
            () -> config().updater(new Adam(Double.NaN)).build(), "learning rate", "NaN", "> 0"),
        row("lr: negative", IllegalArgumentException.class,
            () -> config().updater(new Adam(-1e-3)).build(), "learning rate", "-0.001", "> 0"),
        row("lr: infinite", IllegalArgumentException.class,
            () -> config().updater(new Adam(Double.POSITIVE_INFINITY)).build(), "learning rate",
            "Infinity", "finite"),
        row("schedule: NaN at step 1", IllegalArgumentException.class,
            () -> config().learningRateSchedule(new MapSchedule(ScheduleType.ITERATION,
                Map.of(0, 1e-3, 1, Double.NaN))).build(),
            "learning rate NaN at step 1", "expected a finite rate >= 0"),
        row("schedule: negative at the last step", IllegalArgumentException.class,
            () -> config().maxSteps(100).learningRateSchedule(new MapSchedule(
                ScheduleType.ITERATION, Map.of(0, 1e-3, 60, -1e-3))).build(),
            "learning rate -0.001 at step 99", ">= 0"),
        row("schedule: inside the updater", IllegalArgumentException.class,
            () -> config().updater(new Adam(new MapSchedule(ScheduleType.EPOCH,
                Map.of(0, 1e-3, 1, Double.POSITIVE_INFINITY)))).build(),
            "learning rate Infinity at step 0, epoch 1"),
        row("schedule: negative mid-run, found when fit knows the run length",
            IllegalArgumentException.class,
            fitContrastive(config().epochs(4).learningRateSchedule(new MapSchedule(
                ScheduleType.ITERATION, Map.of(0, 1e-3, 3, -5.0))).build(), images(8)),
            "learning rate -5.0 at step 3", ">= 0"),
        row("batch size 0", IllegalArgumentException.class,
            () -> TrainingConfig.builder(0).build(), "batchSize", "got 0", "> 0"),
        row("batch size negative", IllegalArgumentException.class,
            () -> TrainingConfig.builder(-3).build(), "batchSize", "got -3", "> 0"),
        row("batch larger than the data", IllegalArgumentException.class,
            fitContrastive(TrainingConfig.builder(16).progressBar(false).build(), images(8)),
            "8 examples", "fewer than one batch of 16"),
        row("divergence limit NaN", IllegalArgumentException.class,
            () -> DivergenceLimits.defaults().withMaxAbsLoss(Double.NaN), "maxAbsLoss", "NaN"),
        // configurations: task parameters against the input shape
        row("patch grid: one 28x28 patch on 28x28 images", IllegalArgumentException.class,
            () -> RandomPatchMask.of(28, 0.5).maskedPatches(28, 28), "patch 28, ratio 0.5",
            "28x28", "1x1 grid of 1 patch", "every pixel", "at least 2 patches"),
        row("patch grid: ratio that hides every patch", IllegalArgumentException.class,
            () -> RandomPatchMask.of(14, 0.9).maskedPatches(28, 28), "2x2 grid of 4 patches",
            "round(0.9 * 4) = 4", "every pixel", "between 1 and 3"),
        row("patch grid: refused when the graph is built", IllegalArgumentException.class,
            () -> MaskedImageTask.builder().masks(RandomPatchMask.of(28, 0.5)).build().buildGraph(
                new NeuralNetConfiguration.Builder().graphBuilder(),
                MaskedImageTask.smallCnnEncoder(28, 28, 1)),
            "patch 28, ratio 0.5", "28x28", "every pixel"),
        row("patch size not dividing the image", IllegalArgumentException.class,
            () -> RandomPatchMask.of(5, 0.5).maskedPatches(28, 28), "28x28", "5x5 patches",
            "divides both sides"),
        // non-finite and collapsed arrays
        // found on the prefetch thread: IllegalStateException naming the step, caused by the
        // IllegalArgumentException naming the example
        row("fit: NaN in an example", IllegalStateException.class,
            fitContrastive(config().maxSteps(2).build(), withNaN(images(8), 5, 0, 3, 3)),
            "step 1", "Example 5 of the data source", "NaN or infinity", "finite"),
        row("embed: NaN pixel", IllegalArgumentException.class,
            () -> encoder.embed(withNaN(images(4), 2, 0, 1, 1)), "The input of embed", "NaN",
            "row 2", "finite"),
        row("embed: infinite pixel in batched embed", IllegalArgumentException.class,
            () -> encoder.embed(images(6).putScalar(new long[] {5, 0, 0, 0},
                Double.NEGATIVE_INFINITY), 2), "-Infinity", "row 5"),
        row("kNN: collapsed bank", IllegalArgumentException.class,
            () -> KnnClassifier.builder().build().fit(new LabelledData(
                Nd4j.ones(10, 4).muli(3e15), labels10, 2)), "collapsed", "10 examples",
            "4 dimensions", "lower learning rate"),
        row("probe: all-zero features", IllegalArgumentException.class,
            () -> LinearProbe.builder().build().fit(new LabelledData(Nd4j.zeros(10, 4), labels10,
                2)), "The train features have collapsed", "at most 0.00", "10 examples"),
        row("kNN: NaN query", IllegalArgumentException.class,
            () -> KnnClassifier.builder().build().fit(new LabelledData(Nd4j.rand(10, 4), labels10,
                2)).predict(withNaN(Nd4j.rand(3, 4), 1, 2)), "The queries", "row 1", "NaN"),
        row("probe: NaN in the train features", IllegalArgumentException.class,
            () -> LinearProbe.builder().build().fit(new LabelledData(withNaN(Nd4j.rand(10, 4), 7,
                0), labels10, 2)), "The train features", "row 7", "NaN"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileInputs")
  void isRefusedWithAClearMessage(String name, Class<? extends Throwable> type, Executable call,
      List<String> mentions) {
    Throwable e = assertThrows(type, call, name);
    for (String m : mentions) {
      assertTrue(String.valueOf(e.getMessage()).contains(m),
          name + ": the message should mention '" + m + "': " + e.getMessage());
    }
  }

  /** Policy: a very long line is one document, read whole (no silent truncation). */
  @Test
  void aHugeLineIsOneDocumentReadWhole() {
    String line = "word ".repeat(1_000_000).trim();
    Path f = file("huge.txt", (line + "\nshort line\n").getBytes(StandardCharsets.UTF_8));
    List<Document> docs = PlainTextReader.onePerLine().read(List.of(f));
    assertEquals(2, docs.size());
    assertEquals(line.length(), docs.get(0).text().length());
  }

  /** Policy: a UTF-8 byte-order mark is not part of the first document; blank files are skipped. */
  @Test
  void aByteOrderMarkIsDroppedAndBlankFilesAreSkipped() {
    Path bom = file("bom.txt", "\uFEFFfirst line\n".getBytes(StandardCharsets.UTF_8));
    Path blank = file("blank.txt", " \n\t\n".getBytes(StandardCharsets.UTF_8));
    List<Document> docs = PlainTextReader.onePerFile().read(List.of(bom, blank));
    assertEquals(1, docs.size());
    assertEquals("first line\n", docs.get(0).text());
  }
}
