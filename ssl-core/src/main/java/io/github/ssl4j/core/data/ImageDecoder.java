package io.github.ssl4j.core.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one image file with ImageIO (and the ImageIO plugins on the class path, e.g.
 * TwelveMonkeys' JPEG reader for CMYK JPEG) into floats in [0, 1], channel-planar, resized so the
 * image covers the target and centre-cropped ({@link ImageResampler}).
 *
 * <p>Colour handling: grey sources (8 or 16 bits) are read from their samples and scaled by their
 * maximum (255 or 65535); sRGB sources (8 or 16 bits per sample) likewise from their samples; every
 * other colour model (palette, CMYK converted by the reader, other colour spaces) is read as 8-bit
 * sRGB through ImageIO's conversion. Alpha is composited onto black ({@code value * alpha}). One channel from a
 * colour source is the ITU-R 601 luma {@code 0.299 R + 0.587 G + 0.114 B}; three channels from a
 * grey source repeat the grey value. A reader warning that the data ends early (a truncated JPEG)
 * counts as a failure: the image would be partly grey.
 */
final class ImageDecoder {
  private final int channels;
  private final int height;
  private final int width;

  ImageDecoder(int channels, int height, int width) {
    this.channels = channels;
    this.height = height;
    this.width = width;
  }

  /** Thrown for a file that cannot be decoded; the message says why. */
  static final class UnreadableImageException extends Exception {
    UnreadableImageException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Values per decoded image: channels x height x width. */
  int valuesPerImage() {
    return channels * height * width;
  }

  /**
   * Decodes {@code file} into {@code out[offset .. offset + valuesPerImage())}, channel-planar
   * ([c][h][w]).
   */
  void decode(Path file, float[] out, int offset) throws UnreadableImageException {
    BufferedImage image = read(file);
    int h = image.getHeight();
    int w = image.getWidth();
    int[] resized = ImageResampler.coverSize(h, w, height, width);
    ImageResampler ry = new ImageResampler(h, resized[0], height);
    ImageResampler rx = new ImageResampler(w, resized[1], width);
    // horizontal pass, row by row (memory: channels x h x width floats, not the full image)
    float[][] rows = new float[channels][h * width];
    float[][] line = new float[channels][w];
    RowReader reader = rowReader(image);
    for (int y = 0; y < h; y++) {
      reader.read(y, line);
      for (int c = 0; c < channels; c++) {
        float[] src = line[c];
        float[] dst = rows[c];
        int base = y * width;
        for (int x = 0; x < width; x++) {
          int s = rx.start[x];
          int wo = x * rx.maxLength;
          float v = 0;
          for (int k = 0; k < rx.length[x]; k++) {
            v += rx.weights[wo + k] * src[s + k];
          }
          dst[base + x] = v;
        }
      }
    }
    // vertical pass into the output
    for (int c = 0; c < channels; c++) {
      float[] src = rows[c];
      int plane = offset + c * height * width;
      for (int y = 0; y < height; y++) {
        int s = ry.start[y];
        int wo = y * ry.maxLength;
        int n = ry.length[y];
        int dst = plane + y * width;
        for (int x = 0; x < width; x++) {
          float v = 0;
          for (int k = 0; k < n; k++) {
            v += ry.weights[wo + k] * src[(s + k) * width + x];
          }
          out[dst + x] = Math.min(1f, Math.max(0f, v));
        }
      }
    }
  }

  private static BufferedImage read(Path file) throws UnreadableImageException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new UnreadableImageException("ImageIO cannot open the file", null);
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new UnreadableImageException("no ImageIO reader recognises its content", null);
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener((source, warning) -> {
          if (isDamage(warning)) {
            warnings.add(warning);
          }
        });
        BufferedImage image = reader.read(0);
        if (!warnings.isEmpty()) {
          throw new UnreadableImageException("the " + reader.getFormatName() + " data is damaged ("
              + String.join("; ", warnings) + ")", null);
        }
        if (image.getWidth() < 1 || image.getHeight() < 1) {
          throw new UnreadableImageException("the image is empty (" + image.getWidth() + "x"
              + image.getHeight() + ")", null);
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new UnreadableImageException("decoding failed: " + e, e);
    }
  }

  /**
   * Whether a reader warning means part of the image is missing (the data ends early); other
   * warnings (e.g. a CMYK JPEG without a colour profile, extraneous bytes the decoder skipped)
   * leave a complete image.
   */
  static boolean isDamage(String warning) {
    String w = warning.toLowerCase(java.util.Locale.ROOT);
    return w.contains("premature end") || w.contains("truncat") || w.contains("unexpected end");
  }

  /** Reads one source row into [channels][width] floats in [0, 1]. */
  private interface RowReader {
    void read(int y, float[][] out);
  }

  private RowReader rowReader(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int w = image.getWidth();
    if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && cm.getNumColorComponents() == 1) {
      // grey (8 or 16 bits, optional alpha): the samples themselves, not ImageIO's gamma-converted RGB
      float max = (float) ((1L << cm.getComponentSize(0)) - 1);
      boolean alpha = cm.hasAlpha();
      float alphaMax = alpha ? (float) ((1L << cm.getComponentSize(1)) - 1) : 1;
      boolean premultiplied = cm.isAlphaPremultiplied();
      int[] grey = new int[w];
      int[] a = alpha ? new int[w] : null;
      return (y, out) -> {
        raster.getSamples(0, y, w, 1, 0, grey);
        if (alpha) {
          raster.getSamples(0, y, w, 1, 1, a);
        }
        for (int x = 0; x < w; x++) {
          float v = grey[x] / max;
          if (alpha && !premultiplied) {
            v *= a[x] / alphaMax;
          }
          for (int c = 0; c < channels; c++) {
            out[c][x] = v;
          }
        }
      };
    }
    if ((cm instanceof ComponentColorModel || cm instanceof java.awt.image.DirectColorModel)
        && cm.getColorSpace().isCS_sRGB() && cm.getNumColorComponents() == 3
        && raster.getNumBands() == cm.getNumComponents()) {
      // sRGB samples read band by band (R, G, B[, A]): much faster than BufferedImage.getRGB,
      // which converts pixel by pixel through the colour model
      int bands = cm.getNumComponents();
      boolean alpha = cm.hasAlpha();
      boolean premultiplied = cm.isAlphaPremultiplied();
      float[] max = new float[bands];
      for (int b = 0; b < bands; b++) {
        max[b] = (float) ((1L << cm.getComponentSize(b)) - 1);
      }
      int[] samples = new int[w * bands];
      return (y, out) -> {
        raster.getPixels(0, y, w, 1, samples);
        for (int x = 0, i = 0; x < w; x++, i += bands) {
          float a = alpha && !premultiplied ? samples[i + 3] / max[3] : 1f;
          float r = samples[i] / max[0] * a;
          float g = samples[i + 1] / max[1] * a;
          float b = samples[i + 2] / max[2] * a;
          if (channels == 1) {
            out[0][x] = 0.299f * r + 0.587f * g + 0.114f * b;
          } else {
            out[0][x] = r;
            out[1][x] = g;
            out[2][x] = b;
          }
        }
      };
    }
    int[] argb = new int[w];
    return (y, out) -> {
      image.getRGB(0, y, w, 1, argb, 0, w);
      for (int x = 0; x < w; x++) {
        int p = argb[x];
        float alpha = (p >>> 24) / 255f;
        float r = ((p >> 16) & 0xff) / 255f * alpha;
        float g = ((p >> 8) & 0xff) / 255f * alpha;
        float b = (p & 0xff) / 255f * alpha;
        if (channels == 1) {
          out[0][x] = 0.299f * r + 0.587f * g + 0.114f * b;
        } else {
          out[0][x] = r;
          out[1][x] = g;
          out[2][x] = b;
        }
      }
    };
  }
}
