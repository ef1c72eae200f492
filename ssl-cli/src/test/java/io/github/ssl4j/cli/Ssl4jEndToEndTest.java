package io.github.ssl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance run of the command line: 300 RGB JPEG and PNG images of varying sizes in 3 class
 * folders; pretrain, embed to CSV and NPY, evaluate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ssl4jEndToEndTest {
  @TempDir static Path work;
  static Path images;
  static Path model;

  /** What a run printed and returned. */
  record Run(int code, String out, String err) {}

  static Run ssl4j(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Ssl4j.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Class 0: red discs, class 1: green bars, class 2: blue squares, on noisy backgrounds. */
  @BeforeAll
  static void images() throws IOException {
    images = work.resolve("images");
    model = work.resolve("run");
    Random r = new Random(1);
    String[] classes = {"discs", "bars", "squares"};
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 100; i++) {
        int w = 20 + r.nextInt(60);
        int h = 20 + r.nextInt(60);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(r.nextInt(100), r.nextInt(100), r.nextInt(100)));
        g.fillRect(0, 0, w, h);
        int v = 150 + r.nextInt(100);
        g.setColor(c == 0 ? new Color(v, 40, 40) : c == 1 ? new Color(40, v, 40) : new Color(40, 40, v));
        int s = Math.min(w, h) / 2;
        if (c == 0) {
          g.fillOval(w / 2 - s / 2, h / 2 - s / 2, s, s);
        } else if (c == 1) {
          g.fillRect(w / 2 - s / 4, 0, s / 2, h);
        } else {
          g.fillRect(w / 2 - s / 2, h / 2 - s / 2, s, s);
        }
        g.dispose();
        String format = i % 2 == 0 ? "jpg" : "png";
        Path file = images.resolve(classes[c]).resolve("img-" + i + "." + format);
        Files.createDirectories(file.getParent());
        ImageIO.write(img, format, file.toFile());
      }
    }
  }

  @Test
  @Order(1)
  void pretrainThenResumeOneMoreEpoch() {
    Run run = ssl4j("pretrain", "--method", "simclr", "--data", images.toString(), "--size", "16",
        "--epochs", "1", "--batch", "50", "--output", model.toString(), "--no-progress");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("Done: 6 steps (1 epochs)"), run.out());
    assertTrue(Files.isRegularFile(model.resolve("encoder.zip")));

    Run again = ssl4j("pretrain", "--method", "contrastive", "--data", images.toString(), "--size", "16",
        "--epochs", "1", "--batch", "50", "--output", model.toString(), "--no-progress");
    assertEquals(1, again.code());
    assertTrue(again.err().contains("--resume"), again.err());

    Run resumed = ssl4j("pretrain", "--method", "simclr", "--data", images.toString(),
        "--epochs", "2", "--batch", "50", "--output", model.toString(), "--no-progress", "--resume");
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("Done: 12 steps (2 epochs)"), resumed.out());
  }

  @Test
  @Order(2)
  void embedWritesCsvAndNpyWith300RowsOf128Values() throws IOException {
    Path csv = work.resolve("out/embeddings.csv");
    Run run = ssl4j("embed", "--model", model.toString(), "--data", images.toString(), "--output", csv.toString());
    assertEquals(0, run.code(), run.err());
    List<String> lines = Files.readAllLines(csv);
    assertEquals(301, lines.size());
    assertTrue(lines.get(0).startsWith("id,e0,e1,"), lines.get(0));
    for (String line : lines) {
      assertEquals(129, line.split(",").length, line);
    }
    assertTrue(lines.get(1).startsWith("bars/img-0.jpg,"), lines.get(1));

    Path npy = work.resolve("out/embeddings.npy");
    run = ssl4j("embed", "--model", model.toString(), "--data", images.toString(), "--output", npy.toString());
    assertEquals(0, run.code(), run.err());
    byte[] bytes = Files.readAllBytes(npy);
    int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (300, 128)"), header);
    assertEquals(10 + headerLength + 300 * 128 * 4, bytes.length);
    List<String> ids = Files.readAllLines(work.resolve("out/embeddings.ids.txt"));
    assertEquals(300, ids.size());
    // the same first vector in both files
    float first = ByteBuffer.wrap(bytes, 10 + headerLength, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    assertEquals(Float.parseFloat(lines.get(1).split(",")[1]), first, 0f);
  }

  @Test
  @Order(3)
  void evaluateReportsKnnProbeAndFewLabelFineTuneAgainstScratch() {
    Run run = ssl4j("evaluate", "--model", model.toString(), "--data", images.toString(),
        "--labels-per-class", "5", "--fine-tune-epochs", "3");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("240 training / 60 test images, 3 classes [bars, discs, squares]"), run.out());
    assertTrue(run.out().contains("kNN (k=200"), run.out());
    assertTrue(run.out().contains("linear probe, all 240 labels"), run.out());
    assertTrue(run.out().contains("pretrained encoder") && run.out().contains("from scratch"), run.out());
  }

  @Test
  void helpShowsExamplesAndBadInputGetsAClearError() {
    Run help = ssl4j("--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("Examples:") && help.out().contains("ssl4j pretrain --method simclr"), help.out());
    Run pretrainHelp = ssl4j("pretrain", "--help");
    assertTrue(pretrainHelp.out().contains("--resume") && pretrainHelp.out().contains("Examples:"));
    Run methods = ssl4j("methods");
    assertTrue(methods.out().contains("simclr") && methods.out().contains("masked-image")
        && methods.out().contains("denoising"), methods.out());

    Run badOption = ssl4j("pretrain", "--method", "simclr", "--data", "x", "--output", "y", "--batch", "1");
    assertEquals(2, badOption.code());
    assertTrue(badOption.err().contains("--batch"), badOption.err());
    Run unknownMethod = ssl4j("pretrain", "--method", "nope", "--data", images.toString(), "--output", "y");
    assertEquals(1, unknownMethod.code());
    assertTrue(unknownMethod.err().contains("Unknown method 'nope'"), unknownMethod.err());
    Run missing = ssl4j("embed", "--model", work.resolve("no-model").toString(), "--data", images.toString(),
        "--output", "e.csv");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("not a model folder"), missing.err());
    Run badOutput = ssl4j("embed", "--model", "m", "--data", "d", "--output", "e.txt");
    assertEquals(2, badOutput.code());
    assertTrue(badOutput.err().contains(".csv or .npy"), badOutput.err());
  }
}
