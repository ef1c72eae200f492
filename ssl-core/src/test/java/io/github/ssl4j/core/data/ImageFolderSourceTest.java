package io.github.ssl4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ImageFolderSourceTest {
  @TempDir Path dir;

  private static BufferedImage rgb(int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(seed);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
    g.fillOval(w / 4, h / 4, w / 2, h / 2);
    g.dispose();
    return img;
  }

  private static Path write(BufferedImage img, String format, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    if (!ImageIO.write(img, format, file.toFile())) {
      throw new IOException("no writer for " + format);
    }
    return file;
  }

  private static float at(INDArray a, int n, int c, int y, int x) {
    return a.getFloat(n, c, y, x);
  }

  @Test
  void classFoldersGiveLabelsIdsAndShapesForJpegAndPngOfAnySize() throws IOException {
    String[] classes = {"cat", "dog", "dog-large"};
    for (int c = 0; c < classes.length; c++) {
      for (int i = 0; i < 4; i++) {
        BufferedImage img = rgb(20 + 13 * i, 50 - 7 * i, 10L * c + i);
        write(img, i % 2 == 0 ? "jpg" : "png", dir.resolve(classes[c]).resolve("sub").resolve("img" + i + (i % 2 == 0 ? ".jpg" : ".png")));
      }
    }
    Files.writeString(dir.resolve("cat/notes.txt"), "not an image, ignored by its name");
    Files.writeString(dir.resolve("cat/.hidden.png"), "ignored: hidden");
    try (ImageFolderSource src = ImageFolderSource.builder(dir).channels(3).size(16, 12).classFolders(true).build()) {
      assertEquals(12, src.size());
      assertEquals(List.of("cat", "dog", "dog-large"), src.classes());
      assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, src.labels().orElseThrow());
      assertEquals("cat/sub/img0.jpg", src.id(0));
      assertEquals("dog-large/sub/img3.png", src.id(11));
      INDArray batch = src.get(new long[] {11, 0, 5});
      assertArrayEquals(new long[] {3, 3, 16, 12}, batch.shape());
      assertTrue(batch.minNumber().floatValue() >= 0 && batch.maxNumber().floatValue() <= 1);
      // the centre of every generated image is the oval's colour, the corner the background's
      Random r = new Random(0); // image cat/img0 (seed 0)
      Color background = new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
      Color oval = new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
      assertEquals(oval.getRed() / 255f, at(batch, 1, 0, 8, 6), 0.04); // JPEG: lossy
      assertEquals(oval.getGreen() / 255f, at(batch, 1, 1, 8, 6), 0.04);
      assertEquals(background.getBlue() / 255f, at(batch, 1, 2, 0, 0), 0.06);
    }
    try (ImageFolderSource unlabelled = ImageFolderSource.builder(dir).size(8, 8).build()) {
      assertEquals(12, unlabelled.size());
      assertTrue(unlabelled.labels().isEmpty());
      assertTrue(unlabelled.classes().isEmpty());
    }
  }

  @Test
  void greyPngAtTargetSizeIsReadExactlyAsTheIdxReaderScalesIt() throws IOException {
    BufferedImage grey = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    byte[] pixels = new byte[28 * 28];
    new Random(3).nextBytes(pixels);
    grey.getRaster().setDataElements(0, 0, 28, 28, pixels);
    write(grey, "png", dir.resolve("a.png"));
    try (ImageFolderSource src = ImageFolderSource.builder(dir).channels(1).size(28, 28).build()) {
      INDArray x = src.get(new long[] {0});
      for (int i = 0; i < pixels.length; i++) {
        assertEquals((pixels[i] & 0xff) / 255f, at(x, 0, 0, i / 28, i % 28), 0f, "pixel " + i);
      }
    }
  }

  @Test
  void shorterSideIsScaledToTheTargetThenTheCentreIsCropped() throws IOException {
    // 40 wide x 20 high, grey value = 6 * column: to 10x10 the image is halved (20x10) and
    // columns 5..14 of the halved image (source columns 10..29) are kept
    BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = img.getRaster();
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 40; x++) {
        raster.setSample(x, y, 0, 6 * x);
      }
    }
    write(img, "png", dir.resolve("wide.png"));
    try (ImageFolderSource src = ImageFolderSource.builder(dir).channels(1).size(10, 10).build()) {
      INDArray out = src.get(new long[] {0});
      for (int x = 0; x < 10; x++) {
        // output column x averages source columns 10 + 2x and 11 + 2x (+ their triangle neighbours)
        float expected = 6 * (10 + 2 * x + 0.5f) / 255f;
        assertEquals(expected, at(out, 0, 0, 5, x), 1.5f / 255, "column " + x);
      }
      // a tall image keeps its middle rows
    }
    BufferedImage tall = new BufferedImage(4, 12, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 12; y++) {
      for (int x = 0; x < 4; x++) {
        tall.getRaster().setSample(x, y, 0, 20 * y);
      }
    }
    Path other = dir.resolve("tall");
    write(tall, "png", other.resolve("t.png"));
    try (ImageFolderSource src = ImageFolderSource.builder(other).channels(1).size(4, 4).build()) {
      INDArray out = src.get(new long[] {0});
      for (int y = 0; y < 4; y++) {
        assertEquals(20 * (4 + y) / 255f, at(out, 0, 0, y, 0), 1e-6f, "row " + y);
      }
    }
  }

  @Test
  void paletteSixteenBitAndAlphaPngsAreConvertedAsDocumented() throws IOException {
    // palette: index 0 red, 1 half-transparent green
    byte[] r = {(byte) 255, 0};
    byte[] g = {0, (byte) 255};
    byte[] b = {0, 0};
    byte[] a = {(byte) 255, (byte) 128};
    BufferedImage palette = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(1, 2, r, g, b, a));
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        palette.getRaster().setSample(x, y, 0, x < 2 ? 0 : 1);
      }
    }
    write(palette, "png", dir.resolve("1-palette.png"));
    BufferedImage deep = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        deep.getRaster().setSample(x, y, 0, 1000 * (x + 4 * y) + 1);
      }
    }
    write(deep, "png", dir.resolve("2-sixteen-bit.png"));
    BufferedImage alpha = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        alpha.setRGB(x, y, x < 2 ? 0x00FFFFFF : 0x80FF0000); // transparent white | half-opaque red
      }
    }
    write(alpha, "png", dir.resolve("3-alpha.png"));
    try (ImageFolderSource src = ImageFolderSource.builder(dir).channels(3).size(4, 4).build()) {
      INDArray x = src.get(new long[] {0, 1, 2});
      // palette: red opaque, green composited onto black at alpha 128/255
      assertEquals(1f, at(x, 0, 0, 1, 0), 1e-6f);
      assertEquals(0f, at(x, 0, 1, 1, 0), 1e-6f);
      assertEquals(128 / 255f, at(x, 0, 1, 1, 3), 1e-6f);
      assertEquals(0f, at(x, 0, 0, 1, 3), 1e-6f);
      // 16 bits: sample / 65535, the same in all three channels
      for (int c = 0; c < 3; c++) {
        assertEquals((1000 * 6 + 1) / 65535f, at(x, 1, c, 1, 2), 1e-6f);
      }
      // alpha: transparent white becomes black, half-opaque red is red * 128/255
      assertEquals(0f, at(x, 2, 0, 0, 0), 1e-6f);
      assertEquals(0f, at(x, 2, 1, 0, 0), 1e-6f);
      assertEquals(128 / 255f, at(x, 2, 0, 0, 3), 1e-6f);
      assertEquals(0f, at(x, 2, 1, 0, 3), 1e-6f);
    }
    try (ImageFolderSource grey = ImageFolderSource.builder(dir).channels(1).size(4, 4).build()) {
      INDArray x = grey.get(new long[] {0, 2});
      assertEquals(0.299f, at(x, 0, 0, 0, 0), 1e-6f); // luma of pure red
      assertEquals(0.299f * 128 / 255f, at(x, 1, 0, 0, 3), 1e-6f);
    }
  }

  @Test
  void cmykJpegIsReadAsRgb() throws IOException {
    Path file = dir.resolve("cmyk.jpg");
    writeCmykJpeg(file, 16, 16);
    try (ImageFolderSource src = ImageFolderSource.builder(dir).channels(3).size(8, 8).build()) {
      INDArray x = src.get(new long[] {0});
      assertArrayEquals(new long[] {1, 3, 8, 8}, x.shape());
      // left half: CMYK (0, 1, 1, 0) = red, right half: (1, 0, 1, 0) = green
      float red = at(x, 0, 0, 4, 1);
      float green = at(x, 0, 1, 4, 1);
      assertTrue(red > 0.7f && green < 0.3f, "left half should be red, got r=" + red + " g=" + green);
      float red2 = at(x, 0, 0, 4, 6);
      float green2 = at(x, 0, 1, 4, 6);
      assertTrue(green2 > 0.5f && red2 < 0.3f, "right half should be green, got r=" + red2 + " g=" + green2);
    }
  }

  /**
   * A CMYK JPEG as Adobe applications write it: 4 components stored inverted (255 - ink) and an
   * Adobe APP14 marker with colour transform 0, inserted after the start-of-image marker.
   */
  private static void writeCmykJpeg(Path file, int w, int h) throws IOException {
    WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4, null);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int[] cmyk = x < w / 2 ? new int[] {255, 0, 0, 255} : new int[] {0, 255, 0, 255};
        raster.setPixel(x, y, cmyk);
      }
    }
    ImageWriter writer = null;
    for (var it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
      ImageWriter candidate = it.next();
      if (candidate.canWriteRasters()) {
        writer = candidate;
        break;
      }
    }
    if (writer == null) {
      throw new IOException("no JPEG writer that writes rasters");
    }
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
    } finally {
      writer.dispose();
    }
    byte[] jpeg = Files.readAllBytes(file);
    byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
    byte[] out = new byte[jpeg.length + adobe.length];
    System.arraycopy(jpeg, 0, out, 0, 2);
    System.arraycopy(adobe, 0, out, 2, adobe.length);
    System.arraycopy(jpeg, 2, out, 2 + adobe.length, jpeg.length - 2);
    Files.write(file, out);
  }

  /**
   * A valid JPEG of noise cut after 70 % of its bytes: the headers are complete, so readers decode
   * it with a warning (premature end of data) instead of failing.
   */
  private Path truncatedJpeg(Path file) throws IOException {
    BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(9);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        noise.setRGB(x, y, r.nextInt());
      }
    }
    write(noise, "jpg", file);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length * 7 / 10));
    return file;
  }

  @Test
  void failPolicyNamesTheEmptyTheNonImageAndTheCorruptFile() throws IOException {
    write(rgb(10, 10, 1), "png", dir.resolve("a-good.png"));
    Path empty = Files.write(dir.resolve("b-empty.jpg"), new byte[0]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageFolderSource.builder(dir).size(8, 8).build());
    assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("empty"), e.getMessage());
    Files.delete(empty);

    Path text = Files.writeString(dir.resolve("c-text.png"), "hello, I am text", StandardCharsets.UTF_8);
    e = assertThrows(IllegalArgumentException.class, () -> ImageFolderSource.builder(dir).size(8, 8).build());
    assertTrue(e.getMessage().contains(text.toString()) && e.getMessage().contains("not JPEG, PNG"), e.getMessage());
    Files.delete(text);

    Path corrupt = truncatedJpeg(dir.resolve("d-corrupt.jpg"));
    Path garbage = dir.resolve("e-garbage.jpg");
    byte[] noise = new byte[2000];
    new Random(5).nextBytes(noise);
    noise[0] = (byte) 0xFF;
    noise[1] = (byte) 0xD8;
    noise[2] = (byte) 0xFF;
    Files.write(garbage, noise);
    try (ImageFolderSource src = ImageFolderSource.builder(dir).size(8, 8).build()) {
      assertEquals(3, src.size()); // headers are fine: found only when decoded
      src.get(new long[] {0});
      e = assertThrows(IllegalArgumentException.class, () -> src.get(new long[] {0, 1}));
      assertTrue(e.getMessage().contains(corrupt.toString()), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> src.get(new long[] {2}));
      assertTrue(e.getMessage().contains(garbage.toString()), e.getMessage());
    }
  }

  @Test
  void skipPolicyLeavesOutBadHeadersAndSubstitutesUndecodableFilesDeterministically() throws IOException {
    Path good0 = write(rgb(10, 10, 1), "png", dir.resolve("a.png"));
    Files.write(dir.resolve("b-empty.png"), new byte[0]);
    truncatedJpeg(dir.resolve("c-corrupt.jpg"));
    Files.writeString(dir.resolve("d-text.jpg"), "text");
    Path good1 = write(rgb(12, 9, 2), "jpg", dir.resolve("e.jpg"));
    List<ImageFolderSource.Skipped> reported = new ArrayList<>();
    try (ImageFolderSource src = ImageFolderSource.builder(dir).size(8, 8)
        .onUnreadable(ImageFolderSource.Unreadable.SKIP).onSkip(reported::add).threads(2).build()) {
      assertEquals(3, src.size()); // a, c (header fine), e
      assertEquals(2, reported.size());
      assertFalse(reported.get(0).atDecode());
      INDArray batch = src.get(new long[] {0, 1, 2, 1});
      assertArrayEquals(new long[] {4, 3, 8, 8}, batch.shape());
      // c's slot holds the next decodable file, e
      INDArray e = src.get(new long[] {2});
      assertEquals(e.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)),
          batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)));
      assertEquals(batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)),
          batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(3)));
      List<ImageFolderSource.Skipped> skipped = src.skipped();
      assertEquals(3, skipped.size(), "reported once each: " + skipped);
      assertTrue(skipped.get(2).atDecode());
      assertTrue(skipped.get(2).file().endsWith("c-corrupt.jpg"));
      assertEquals(skipped, reported);
      assertEquals(good0, src.file(0));
      assertEquals(good1, src.file(2));
    }
  }

  @Test
  void parallelDecodingGivesTheSameBatchAsOneThread() throws IOException {
    for (int i = 0; i < 12; i++) {
      write(rgb(30 + i, 25 + 2 * i, i), i % 3 == 0 ? "png" : "jpg", dir.resolve("x" + i + (i % 3 == 0 ? ".png" : ".jpg")));
    }
    long[] idx = {5, 3, 11, 0, 7, 7, 2, 9, 1};
    try (ImageFolderSource one = ImageFolderSource.builder(dir).size(16, 16).threads(1).build();
        ImageFolderSource four = ImageFolderSource.builder(dir).size(16, 16).threads(4).build()) {
      assertEquals(one.get(idx), four.get(idx));
    }
  }

  @Test
  void builderRejectsBadSettingsAndFolders() throws IOException {
    assertThrows(IllegalArgumentException.class, () -> ImageFolderSource.builder(dir).channels(2));
    assertThrows(IllegalArgumentException.class, () -> ImageFolderSource.builder(dir).size(0, 8));
    assertThrows(java.io.UncheckedIOException.class,
        () -> ImageFolderSource.builder(dir.resolve("missing")).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageFolderSource.builder(dir).build());
    assertTrue(e.getMessage().contains("No readable image"), e.getMessage());
    write(rgb(8, 8, 1), "png", dir.resolve("root.png"));
    e = assertThrows(IllegalArgumentException.class,
        () -> ImageFolderSource.builder(dir).classFolders(true).build());
    assertTrue(e.getMessage().contains("class sub-folder"), e.getMessage());
  }
}
