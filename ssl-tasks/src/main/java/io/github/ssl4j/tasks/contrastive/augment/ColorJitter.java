package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;

/**
 * Random brightness, contrast, saturation and hue changes, applied to each image with probability
 * {@code p}, as torchvision's {@code RandomApply([ColorJitter(brightness, contrast, saturation,
 * hue)], p)} on tensors with values in [0, 1].
 *
 * <p>For an image that is jittered, a factor is drawn for each adjustment: brightness uniformly
 * from [1 - brightness, 1 + brightness], contrast from [1 - contrast, 1 + contrast], saturation
 * from [1 - saturation, 1 + saturation] and a hue shift from [-hue, hue]. The adjustments are
 * applied in random order (torchvision) or in the order brightness, contrast, saturation, hue, each
 * followed by clipping to [0, 1]:
 *
 * <ul>
 *   <li>brightness: {@code v * factor};
 *   <li>contrast: {@code factor * v + (1 - factor) * mean}, where mean is the mean grey level of the
 *       image at that point (ITU-R 601 luma for 3 channels, the plain mean otherwise);
 *   <li>saturation: {@code factor * v + (1 - factor) * luma}, per pixel, with the pixel's ITU-R 601
 *       luma {@code 0.299 R + 0.587 G + 0.114 B} (torchvision's {@code adjust_saturation});
 *   <li>hue: each pixel converted to HSV, {@code h = (h + shift) mod 1}, converted back
 *       (torchvision's {@code adjust_hue}, see {@link #shiftHue}).
 * </ul>
 *
 * <p>Saturation and hue need colour: on images that do not have exactly 3 channels (RGB) they are
 * the identity, as in torchvision for 1-channel images (their factors are still drawn, so the
 * generator advances the same way for any channel count).
 *
 * <p>Draws per image: one for {@code p}; for a jittered image, when saturation and hue are both 0
 * (brightness and contrast only): the two factors, then, in random order, one {@code nextBoolean}
 * for the order. Otherwise: the four factors (brightness, contrast, saturation, hue), then, in
 * random order, a random permutation of the four (three {@code nextInt} draws, Fisher-Yates).
 * Adjustments of strength 0 are skipped (their factors are drawn all the same).
 *
 * @param brightness brightness jitter strength, in [0, 1]
 * @param contrast contrast jitter strength, in [0, 1]
 * @param saturation saturation jitter strength, in [0, 1]
 * @param hue hue jitter strength, in [0, 0.5] (a fraction of the hue circle)
 * @param p probability of jittering an image, in [0, 1]
 * @param randomOrder true: random order per image (torchvision); false: brightness, contrast,
 *     saturation, hue
 */
public record ColorJitter(
    double brightness, double contrast, double saturation, double hue, double p, boolean randomOrder)
    implements PixelAugmentation {

  /** ITU-R 601-2 luma weights of R, G and B (as PIL and torchvision's grayscale conversion). */
  static final double LUMA_R = 0.299;
  /** Luma weight of G. */
  static final double LUMA_G = 0.587;
  /** Luma weight of B. */
  static final double LUMA_B = 0.114;

  private static final int BRIGHTNESS = 0;
  private static final int CONTRAST = 1;
  private static final int SATURATION = 2;
  private static final int HUE = 3;

  /** Brightness and contrast only, in the given order mode. */
  public ColorJitter(double brightness, double contrast, double p, boolean randomOrder) {
    this(brightness, contrast, 0, 0, p, randomOrder);
  }

  /** Brightness and contrast only, in random order (torchvision). */
  public ColorJitter(double brightness, double contrast, double p) {
    this(brightness, contrast, 0, 0, p, true);
  }

  /** All four adjustments, in random order (torchvision). */
  public ColorJitter(double brightness, double contrast, double saturation, double hue, double p) {
    this(brightness, contrast, saturation, hue, p, true);
  }

  /** Validates the parameters. */
  public ColorJitter {
    checkStrength("brightness", brightness, 1);
    checkStrength("contrast", contrast, 1);
    checkStrength("saturation", saturation, 1);
    checkStrength("hue", hue, 0.5);
    Images.checkProbability("ColorJitter p", p);
  }

  private static void checkStrength(String what, double v, double max) {
    if (!(v >= 0 && v <= max)) {
      throw new IllegalArgumentException(
          "ColorJitter " + what + " must be in [0, " + max + "], got " + v
              + "; SimCLR uses 0.8 x strength, e.g. 0.4 (0.1 for hue)");
    }
  }

  /**
   * SimCLR's colour jitter at strength 0.5 for grey images: brightness and contrast 0.4 (0.8 x
   * strength), applied with p = 0.8, in random order (torchvision); saturation and hue, which have
   * no effect on grey images, are left out.
   */
  public static ColorJitter simclr() {
    return new ColorJitter(0.4, 0.4, 0.8);
  }

  /**
   * SimCLR's colour jitter at strength 0.5 for RGB images: brightness, contrast and saturation
   * 0.4, hue 0.1, applied with p = 0.8, in random order (torchvision).
   */
  public static ColorJitter simclrRgb() {
    return new ColorJitter(0.4, 0.4, 0.4, 0.1, 0.8);
  }

  @Override
  public float[] apply(float[] src, int n, int c, int h, int w, RandomGenerator rng) {
    float[] out = src.clone();
    int plane = h * w;
    int image = c * plane;
    boolean legacy = saturation == 0 && hue == 0;
    int[] order = {BRIGHTNESS, CONTRAST, SATURATION, HUE};
    for (int i = 0; i < n; i++) {
      if (!(rng.nextDouble() < p)) {
        continue;
      }
      int from = i * image;
      float b = (float) Images.uniform(rng, 1 - brightness, 1 + brightness);
      float k = (float) Images.uniform(rng, 1 - contrast, 1 + contrast);
      if (legacy) {
        boolean brightnessFirst = !randomOrder || rng.nextBoolean();
        if (brightnessFirst) {
          brightness(out, from, from + image, b);
          contrast(out, from, c, plane, k);
        } else {
          contrast(out, from, c, plane, k);
          brightness(out, from, from + image, b);
        }
        continue;
      }
      float s = (float) Images.uniform(rng, 1 - saturation, 1 + saturation);
      double shift = Images.uniform(rng, -hue, hue);
      for (int j = 0; j < 4; j++) {
        order[j] = j;
      }
      if (randomOrder) {
        for (int j = 3; j > 0; j--) {
          int r = rng.nextInt(j + 1);
          int t = order[j];
          order[j] = order[r];
          order[r] = t;
        }
      }
      for (int op : order) {
        switch (op) {
          case BRIGHTNESS -> {
            if (brightness > 0) {
              brightness(out, from, from + image, b);
            }
          }
          case CONTRAST -> {
            if (contrast > 0) {
              contrast(out, from, c, plane, k);
            }
          }
          case SATURATION -> {
            if (saturation > 0 && c == 3) {
              saturate(out, from, plane, s);
            }
          }
          default -> {
            if (hue > 0 && c == 3) {
              shiftHue(out, from, plane, shift);
            }
          }
        }
      }
    }
    return out;
  }

  private static void brightness(float[] a, int from, int to, float factor) {
    for (int j = from; j < to; j++) {
      a[j] = Images.clamp01(a[j] * factor);
    }
  }

  private static void contrast(float[] a, int from, int c, int plane, float factor) {
    double sum = 0;
    if (c == 3) {
      for (int j = 0; j < plane; j++) {
        sum += LUMA_R * a[from + j] + LUMA_G * a[from + plane + j] + LUMA_B * a[from + 2 * plane + j];
      }
      sum /= plane;
    } else {
      for (int j = from, end = from + c * plane; j < end; j++) {
        sum += a[j];
      }
      sum /= (double) c * plane;
    }
    float offset = (float) ((1 - factor) * sum);
    for (int j = from, end = from + c * plane; j < end; j++) {
      a[j] = Images.clamp01(factor * a[j] + offset);
    }
  }

  /** Blends each pixel of one RGB image with its luma: {@code factor * v + (1 - factor) * luma}. */
  static void saturate(float[] a, int from, int plane, float factor) {
    for (int j = 0; j < plane; j++) {
      int r = from + j;
      int g = r + plane;
      int b = g + plane;
      float luma = (float) (LUMA_R * a[r] + LUMA_G * a[g] + LUMA_B * a[b]);
      float offset = (1 - factor) * luma;
      a[r] = Images.clamp01(factor * a[r] + offset);
      a[g] = Images.clamp01(factor * a[g] + offset);
      a[b] = Images.clamp01(factor * a[b] + offset);
    }
  }

  /**
   * Shifts the hue of one RGB image in place, as torchvision's {@code adjust_hue} on a tensor: each
   * pixel is converted to HSV (h in [0, 1)), {@code h = (h + shift) mod 1}, then converted back,
   * with the same formulas as torchvision's {@code _rgb2hsv} and {@code _hsv2rgb}. Grey pixels
   * (equal R, G, B) keep their value; a shift of 0 or 1 returns the image up to float rounding.
   *
   * @param a c-order buffer holding the image's R, G and B planes from {@code from}, values in [0, 1]
   * @param from offset of the image's R plane
   * @param plane pixels per channel (h * w)
   * @param shift hue shift as a fraction of the circle (any finite value; torchvision allows
   *     [-0.5, 0.5])
   */
  static void shiftHue(float[] a, int from, int plane, double shift) {
    for (int j = 0; j < plane; j++) {
      int ri = from + j;
      int gi = ri + plane;
      int bi = gi + plane;
      double r = a[ri];
      double g = a[gi];
      double b = a[bi];
      double max = Math.max(r, Math.max(g, b));
      double min = Math.min(r, Math.min(g, b));
      double cr = max - min;
      if (cr == 0) {
        continue; // grey: hue is undefined and the pixel unchanged (torchvision gives h = 0, s = 0)
      }
      double s = cr / max;
      double rc = (max - r) / cr;
      double gc = (max - g) / cr;
      double bc = (max - b) / cr;
      double hh;
      if (max == r) {
        hh = bc - gc;
      } else if (max == g) {
        hh = 2.0 + rc - bc;
      } else {
        hh = 4.0 + gc - rc;
      }
      hh = (hh / 6.0 + 1.0) % 1.0;
      hh = (hh + shift) % 1.0;
      if (hh < 0) {
        hh += 1.0;
      }
      double v = max;
      double i = Math.floor(hh * 6.0);
      double f = hh * 6.0 - i;
      double p = clamp(v * (1.0 - s));
      double q = clamp(v * (1.0 - s * f));
      double t = clamp(v * (1.0 - s * (1.0 - f)));
      switch (Math.floorMod((int) i, 6)) {
        case 0 -> set(a, ri, gi, bi, v, t, p);
        case 1 -> set(a, ri, gi, bi, q, v, p);
        case 2 -> set(a, ri, gi, bi, p, v, t);
        case 3 -> set(a, ri, gi, bi, p, q, v);
        case 4 -> set(a, ri, gi, bi, t, p, v);
        default -> set(a, ri, gi, bi, v, p, q);
      }
    }
  }

  private static double clamp(double v) {
    return Math.min(1.0, Math.max(0.0, v));
  }

  private static void set(float[] a, int ri, int gi, int bi, double r, double g, double b) {
    a[ri] = Images.clamp01((float) r);
    a[gi] = Images.clamp01((float) g);
    a[bi] = Images.clamp01((float) b);
  }
}
