package io.github.ssl4j.examples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Grey-scale PNG grids of images in [0, 1], one row per array, for the examples' pictures. */
final class ImageGrid {
  private static final int GAP = 4;

  private ImageGrid() {}

  /**
   * @param rows each {@code [k, h, w]} or {@code [k, 1, h, w]}, all with the same k, h and w
   * @param scale screen pixels per image pixel
   */
  static void write(INDArray[] rows, int scale, Path png) throws IOException {
    long[] s = rows[0].shape();
    int k = (int) s[0];
    int h = (int) s[s.length - 2];
    int w = (int) s[s.length - 1];
    int cellW = w * scale + GAP;
    int cellH = h * scale + GAP;
    BufferedImage img = new BufferedImage(k * cellW + GAP, rows.length * cellH + GAP, BufferedImage.TYPE_BYTE_GRAY);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.dispose();
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].size(0) != k || rows[r].length() != (long) k * h * w) {
        throw new IllegalArgumentException("grid row " + r + " has shape "
            + java.util.Arrays.toString(rows[r].shape()) + ", expected " + k + " images of " + h + "x" + w);
      }
      float[] v = rows[r].castTo(DataType.FLOAT).dup('c').data().asFloat();
      for (int i = 0; i < k; i++) {
        for (int y = 0; y < h * scale; y++) {
          for (int x = 0; x < w * scale; x++) {
            float p = v[i * h * w + (y / scale) * w + x / scale];
            int grey = Math.max(0, Math.min(255, Math.round(p * 255)));
            img.getRaster().setSample(GAP + i * cellW + x, GAP + r * cellH + y, 0, grey);
          }
        }
      }
    }
    ImageIO.write(img, "png", png.toFile());
  }
}
