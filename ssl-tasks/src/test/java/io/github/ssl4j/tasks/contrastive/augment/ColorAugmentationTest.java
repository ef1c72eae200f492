package io.github.ssl4j.tasks.contrastive.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saturation, hue, grayscale and blur against naive per-pixel references written here (textbook
 * HSV formulas, an explicit 2-D convolution over a reflect-padded copy), plus closed forms.
 */
class ColorAugmentationTest {

  private static float[] random(int length, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextDouble();
    }
    return v;
  }

  private static void assertClose(float[] expected, float[] actual, double tol) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol, "at " + i);
    }
  }

  // ---- naive references -------------------------------------------------------------------

  /** Textbook RGB -> HSV (hue in degrees, sector formula), shift, HSV -> RGB by f(n) = V - VS max(0, min(k, 4-k, 1)). */
  private static double[] hueShiftReference(double r, double g, double b, double shift) {
    double max = Math.max(r, Math.max(g, b));
    double min = Math.min(r, Math.min(g, b));
    double d = max - min;
    if (d == 0) {
      return new double[] {r, g, b};
    }
    double hDeg;
    if (max == r) {
      hDeg = 60 * (((g - b) / d) % 6);
    } else if (max == g) {
      hDeg = 60 * ((b - r) / d + 2);
    } else {
      hDeg = 60 * ((r - g) / d + 4);
    }
    hDeg = ((hDeg + 360 * shift) % 360 + 360) % 360;
    double s = d / max;
    double v = max;
    double[] out = new double[3];
    int[] n = {5, 3, 1};
    for (int i = 0; i < 3; i++) {
      double k = (n[i] + hDeg / 60) % 6;
      out[i] = v - v * s * Math.max(0, Math.min(k, Math.min(4 - k, 1)));
    }
    return out;
  }

  private static float[] hueReference(float[] img, int plane, double shift) {
    float[] out = img.clone();
    for (int j = 0; j < plane; j++) {
      double[] rgb = hueShiftReference(img[j], img[plane + j], img[2 * plane + j], shift);
      for (int c = 0; c < 3; c++) {
        out[c * plane + j] = (float) rgb[c];
      }
    }
    return out;
  }

  private static float luma(float[] img, int plane, int j) {
    return (float) (0.299 * img[j] + 0.587 * img[plane + j] + 0.114 * img[2 * plane + j]);
  }

  private static float clip(double v) {
    return (float) Math.min(1, Math.max(0, v));
  }

  private static float[] saturationReference(float[] img, int plane, double factor) {
    float[] out = img.clone();
    for (int j = 0; j < plane; j++) {
      float l = luma(img, plane, j);
      for (int c = 0; c < 3; c++) {
        out[c * plane + j] = clip(factor * img[c * plane + j] + (1 - factor) * l);
      }
    }
    return out;
  }

  private static float[] brightnessReference(float[] img, double factor) {
    float[] out = img.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = clip(factor * img[i]);
    }
    return out;
  }

  private static float[] contrastReference(float[] img, int plane, double factor) {
    double mean = 0;
    for (int j = 0; j < plane; j++) {
      mean += luma(img, plane, j);
    }
    mean /= plane;
    float[] out = img.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = clip(factor * img[i] + (1 - factor) * mean);
    }
    return out;
  }

  /** Explicit 2-D Gaussian (outer product) over an explicitly reflect-padded copy of one plane. */
  private static float[] blurReference(float[] plane, int h, int w, int k, double sigma) {
    int pad = k / 2;
    int ph = h + 2 * pad;
    int pw = w + 2 * pad;
    double[][] padded = new double[ph][pw];
    for (int y = 0; y < ph; y++) {
      for (int x = 0; x < pw; x++) {
        int sy = y - pad;
        int sx = x - pad;
        sy = sy < 0 ? -sy : sy >= h ? 2 * h - 2 - sy : sy;
        sx = sx < 0 ? -sx : sx >= w ? 2 * w - 2 - sx : sx;
        padded[y][x] = plane[sy * w + sx];
      }
    }
    double[] g = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      double x = i - pad;
      g[i] = Math.exp(-x * x / (2 * sigma * sigma));
      sum += g[i];
    }
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int dy = 0; dy < k; dy++) {
          for (int dx = 0; dx < k; dx++) {
            s += g[dy] * g[dx] / (sum * sum) * padded[y + dy][x + dx];
          }
        }
        out[y * w + x] = (float) s;
      }
    }
    return out;
  }

  // ---- hue and saturation -------------------------------------------------------------------

  @Test
  void hueShiftMatchesTheTextbookConversion() {
    int plane = 64;
    float[] img = random(3 * plane, 1);
    for (double shift : new double[] {-0.5, -0.23, 0.1, 0.37, 0.5}) {
      float[] a = img.clone();
      ColorJitter.shiftHue(a, 0, plane, shift);
      assertClose(hueReference(img, plane, shift), a, 1e-5);
    }
  }

  @Test
  void hueShiftZeroAndOneAreIdentityAndGreyPixelsStay() {
    int plane = 100;
    float[] img = random(3 * plane, 2);
    for (int j = 0; j < 10; j++) { // some grey pixels
      img[plane + j] = img[j];
      img[2 * plane + j] = img[j];
    }
    for (double shift : new double[] {0, 1, -1}) {
      float[] a = img.clone();
      ColorJitter.shiftHue(a, 0, plane, shift);
      assertClose(img, a, 1e-6);
    }
    float[] shifted = img.clone();
    ColorJitter.shiftHue(shifted, 0, plane, 0.3);
    for (int j = 0; j < 10; j++) {
      assertEquals(img[j], shifted[j]);
      assertEquals(img[j], shifted[plane + j]);
    }
    assertNotEquals(img[50], shifted[50]);
    // shifting by a third of the circle rotates a pure red to pure green
    float[] red = {1, 0, 0};
    ColorJitter.shiftHue(red, 0, 1, 1.0 / 3);
    assertClose(new float[] {0, 1, 0}, red, 1e-6);
  }

  @Test
  void saturationMatchesTheNaiveBlendAndFactorOneIsIdentity() {
    int plane = 49;
    float[] img = random(3 * plane, 3);
    for (float f : new float[] {0f, 0.6f, 1.4f}) {
      float[] a = img.clone();
      ColorJitter.saturate(a, 0, plane, f);
      assertClose(saturationReference(img, plane, f), a, 1e-6);
    }
    float[] same = img.clone();
    ColorJitter.saturate(same, 0, plane, 1f);
    assertArrayEquals(img, same);
    float[] grey = img.clone();
    ColorJitter.saturate(grey, 0, plane, 0f);
    for (int j = 0; j < plane; j++) {
      assertEquals(grey[j], grey[plane + j], 1e-6);
      assertEquals(grey[j], grey[2 * plane + j], 1e-6);
    }
  }

  @Test
  void fullJitterReproducesTheNaivePipelineFromTheSameDraws() {
    int n = 10;
    int h = 5;
    int w = 6;
    int plane = h * w;
    float[] x = random(n * 3 * plane, 4);
    ColorJitter jitter = new ColorJitter(0.4, 0.3, 0.5, 0.1, 0.7);
    float[] actual = jitter.apply(x, n, 3, h, w, new SplittableRandom(9));

    RandomGenerator rng = new SplittableRandom(9);
    int jittered = 0;
    for (int i = 0; i < n; i++) {
      float[] img = java.util.Arrays.copyOfRange(x, i * 3 * plane, (i + 1) * 3 * plane);
      if (rng.nextDouble() < 0.7) {
        jittered++;
        float b = (float) (0.6 + 0.8 * rng.nextDouble());
        float c = (float) (0.7 + 0.6 * rng.nextDouble());
        float s = (float) (0.5 + 1.0 * rng.nextDouble());
        double hue = -0.1 + 0.2 * rng.nextDouble();
        int[] order = {0, 1, 2, 3};
        for (int j = 3; j > 0; j--) {
          int r = rng.nextInt(j + 1);
          int t = order[j];
          order[j] = order[r];
          order[r] = t;
        }
        for (int op : order) {
          img = switch (op) {
            case 0 -> brightnessReference(img, b);
            case 1 -> contrastReference(img, plane, c);
            case 2 -> saturationReference(img, plane, s);
            default -> hueReference(img, plane, hue);
          };
        }
      }
      assertClose(img, java.util.Arrays.copyOfRange(actual, i * 3 * plane, (i + 1) * 3 * plane), 2e-5);
    }
    assertTrue(jittered > 0 && jittered < n, "seed should jitter some images, not all: " + jittered);
    assertArrayEquals(actual, jitter.apply(x, n, 3, h, w, new SplittableRandom(9)));
  }

  @Test
  void saturationAndHueAreIdentityOnGreyImagesButDrawTheSame() {
    float[] grey = random(3 * 64, 5);
    ColorJitter colour = new ColorJitter(0, 0, 0.8, 0.5, 1.0);
    assertArrayEquals(grey, colour.apply(grey, 3, 1, 8, 8, new SplittableRandom(1)));
    RandomGenerator a = new SplittableRandom(1);
    RandomGenerator b = new SplittableRandom(1);
    colour.apply(grey, 3, 1, 8, 8, a);
    colour.apply(random(3 * 3 * 64, 6), 3, 3, 8, 8, b);
    assertEquals(a.nextLong(), b.nextLong(), "draws must not depend on the channel count");
  }

  @Test
  void brightnessContrastOnlyJitterKeepsItsDrawSequence() {
    // The two-adjustment form draws p, two factors and a coin, as before saturation and hue existed.
    float[] x = random(2 * 3 * 16, 7);
    float[] a = new ColorJitter(0.4, 0.4, 1.0).apply(x, 2, 3, 4, 4, new SplittableRandom(3));
    float[] b = new ColorJitter(0.4, 0.4, 0, 0, 1.0, true).apply(x, 2, 3, 4, 4, new SplittableRandom(3));
    assertArrayEquals(a, b);
    RandomGenerator rng = new SplittableRandom(3);
    new ColorJitter(0.4, 0.4, 1.0).apply(x, 2, 3, 4, 4, rng);
    RandomGenerator ref = new SplittableRandom(3);
    for (int i = 0; i < 2; i++) {
      ref.nextDouble();
      ref.nextDouble();
      ref.nextDouble();
      ref.nextBoolean();
    }
    assertEquals(ref.nextLong(), rng.nextLong());
  }

  // ---- grayscale --------------------------------------------------------------------------

  @Test
  void grayscaleGivesThreeEqualLumaChannelsWithProbabilityP() {
    int n = 40;
    int plane = 9;
    float[] x = random(n * 3 * plane, 8);
    float[] y = new RandomGrayscale(0.5).apply(x, n, 3, 3, 3, new SplittableRandom(4));
    RandomGenerator rng = new SplittableRandom(4);
    int converted = 0;
    for (int i = 0; i < n; i++) {
      int o = i * 3 * plane;
      boolean grey = rng.nextDouble() < 0.5;
      for (int j = 0; j < plane; j++) {
        if (grey) {
          float l = (float) (0.299 * x[o + j] + 0.587 * x[o + plane + j] + 0.114 * x[o + 2 * plane + j]);
          assertEquals(l, y[o + j], 1e-6);
          assertEquals(y[o + j], y[o + plane + j]);
          assertEquals(y[o + j], y[o + 2 * plane + j]);
        } else {
          assertEquals(x[o + j], y[o + j]);
          assertEquals(x[o + 2 * plane + j], y[o + 2 * plane + j]);
        }
      }
      converted += grey ? 1 : 0;
    }
    assertTrue(converted > 5 && converted < 35, "converted " + converted);
    float[] one = random(5 * 16, 9);
    assertArrayEquals(one, new RandomGrayscale(1.0).apply(one, 5, 1, 4, 4, new SplittableRandom(1)));
    assertArrayEquals(x, new RandomGrayscale(0.0).apply(x, n, 3, 3, 3, new SplittableRandom(1)));
  }

  // ---- blur -------------------------------------------------------------------------------

  @Test
  void blurMatchesAnExplicitTwoDimensionalConvolutionWithReflectPadding() {
    int n = 8;
    int c = 3;
    int h = 9;
    int w = 11;
    int plane = h * w;
    float[] x = random(n * c * plane, 10);
    GaussianBlur blur = new GaussianBlur(7, 0.1, 2.0, 0.6);
    float[] y = blur.apply(x, n, c, h, w, new SplittableRandom(5));
    RandomGenerator rng = new SplittableRandom(5);
    int blurred = 0;
    for (int i = 0; i < n; i++) {
      boolean b = rng.nextDouble() < 0.6;
      double sigma = b ? 0.1 + 1.9 * rng.nextDouble() : 0;
      blurred += b ? 1 : 0;
      for (int ch = 0; ch < c; ch++) {
        int o = (i * c + ch) * plane;
        float[] in = java.util.Arrays.copyOfRange(x, o, o + plane);
        float[] expected = b ? blurReference(in, h, w, 7, sigma) : in;
        assertClose(expected, java.util.Arrays.copyOfRange(y, o, o + plane), 1e-5);
      }
    }
    assertTrue(blurred > 0 && blurred < n, "blurred " + blurred);
  }

  @Test
  void blurKeepsConstantsAndSumsAndItsKernelSumsToOne() {
    double[] k = GaussianBlur.kernel(9, 1.3);
    assertEquals(1.0, java.util.Arrays.stream(k).sum(), 1e-12);
    assertEquals(k[0], k[8], 0);
    assertEquals(Math.exp(-0.5 / (1.3 * 1.3)), k[5] / k[4], 1e-12);

    GaussianBlur always = new GaussianBlur(5, 0.5, 2.0, 1.0);
    float[] constant = new float[2 * 3 * 100];
    java.util.Arrays.fill(constant, 0.37f);
    assertClose(constant, always.apply(constant, 2, 3, 10, 10, new SplittableRandom(1)), 1e-6);

    // content away from the border by more than the kernel radius: the total is preserved
    float[] spot = new float[20 * 20];
    spot[9 * 20 + 9] = 1f;
    spot[10 * 20 + 12] = 0.5f;
    float[] out = always.apply(spot, 1, 1, 20, 20, new SplittableRandom(2));
    double sum = 0;
    for (float v : out) {
      sum += v;
    }
    assertEquals(1.5, sum, 1e-5);
    assertTrue(out[9 * 20 + 9] < 1f && out[9 * 20 + 10] > 0f, "the spot is spread");
  }

  @Test
  void blurRejectsBadParametersAndTooSmallImages() {
    assertThrows(IllegalArgumentException.class, () -> new GaussianBlur(4, 0.1, 2.0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new GaussianBlur(3, 0, 2.0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new GaussianBlur(3, 2.0, 1.0, 0.5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GaussianBlur(9, 0.1, 2.0, 1).apply(new float[16], 1, 1, 4, 4, new SplittableRandom(1)));
    assertTrue(e.getMessage().contains("4x4"), e.getMessage());
    assertEquals(new GaussianBlur(11, 0.1, 2.0, 0.5), GaussianBlur.simclr(96)); // 9.6 rounds to 10, next odd
    assertEquals(new GaussianBlur(13, 0.1, 2.0, 0.5), GaussianBlur.simclr(128));
    assertThrows(IllegalArgumentException.class, () -> new ColorJitter(0.4, 0.4, 0.4, 0.6, 0.8));
    assertThrows(IllegalArgumentException.class, () -> new ColorJitter(0.4, 0.4, -0.1, 0.1, 0.8));
  }

  // ---- presets ----------------------------------------------------------------------------

  @Test
  void simclrPresetAdaptsToChannelsAndSize() {
    assertEquals(Compose.simclr(), Compose.simclr(1, 28, 28));
    assertEquals(Compose.simclr(), Compose.simclr(1, 32, 63));
    assertEquals(List.of(new RandomResizedCrop(0.08, 1.0, 0.75, 4.0 / 3), new HorizontalFlip(0.5),
            new ColorJitter(0.4, 0.4, 0.4, 0.1, 0.8, true), new RandomGrayscale(0.2)),
        Compose.simclr(3, 32, 32).steps());
    assertEquals(new GaussianBlur(11, 0.1, 2.0, 0.5), Compose.simclr(3, 96, 128).steps().get(4));
    assertEquals(GaussianBlur.simclr(64), Compose.simclr(1, 64, 64).steps().get(3));

    INDArray x = Nd4j.create(random(4 * 3 * 64 * 64, 11), new long[] {4, 3, 64, 64}, 'c');
    INDArray a = MultiViewTransform.simclr(3, 64, 64).apply(x, new SplittableRandom(3));
    assertArrayEquals(new long[] {8, 3, 64, 64}, a.shape());
    assertEquals(a, MultiViewTransform.simclr(3, 64, 64).apply(x, new SplittableRandom(3)));
    assertTrue(a.minNumber().doubleValue() >= 0 && a.maxNumber().doubleValue() <= 1);
  }
}
