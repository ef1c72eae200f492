package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;

/**
 * Random brightness and contrast changes, applied to each image with probability {@code p}, as
 * torchvision's {@code RandomApply([ColorJitter(brightness, contrast)], p)}.
 *
 * <p>For an image that is jittered: a brightness factor is drawn uniformly from [1 - brightness, 1 +
 * brightness] and a contrast factor from [1 - contrast, 1 + contrast]; the two adjustments are
 * applied in random order (one fair coin per image, as torchvision) or brightness first, each followed by clipping to [0, 1]:
 *
 * <ul>
 *   <li>brightness: {@code v * factor};
 *   <li>contrast: {@code factor * v + (1 - factor) * mean}, where mean is the mean grey level of the
 *       image at that point (ITU-R 601 luma for 3 channels, the plain mean otherwise).
 * </ul>
 *
 * Draws per image: one for {@code p}, and for a jittered image two more (the factors) and, in
 * random order, a third (the order).
 *
 * @param brightness brightness jitter strength, in [0, 1]
 * @param contrast contrast jitter strength, in [0, 1]
 * @param p probability of jittering an image, in [0, 1]
 * @param randomOrder true: random order per image (torchvision); false: brightness, then contrast
 */
public record ColorJitter(double brightness, double contrast, double p, boolean randomOrder)
    implements PixelAugmentation {

  /** A torchvision-style jitter: the two adjustments in random order. */
  public ColorJitter(double brightness, double contrast, double p) {
    this(brightness, contrast, p, true);
  }

  /** Validates the parameters. */
  public ColorJitter {
    if (!(brightness >= 0 && brightness <= 1)) {
      throw new IllegalArgumentException(
          "ColorJitter brightness must be in [0, 1] (factor drawn from [1-b, 1+b]), got "
              + brightness + "; SimCLR uses 0.8 x strength, e.g. 0.4");
    }
    if (!(contrast >= 0 && contrast <= 1)) {
      throw new IllegalArgumentException(
          "ColorJitter contrast must be in [0, 1] (factor drawn from [1-c, 1+c]), got " + contrast
              + "; SimCLR uses 0.8 x strength, e.g. 0.4");
    }
    Images.checkProbability("ColorJitter p", p);
  }

  /**
   * SimCLR's colour jitter at strength 0.5 for grey images: brightness and contrast 0.4 (0.8 x
   * strength), applied with p = 0.8, in random order (torchvision); saturation and hue, which have
   * no effect on grey images, are left out.
   */
  public static ColorJitter simclr() {
    return new ColorJitter(0.4, 0.4, 0.8);
  }

  @Override
  public float[] apply(float[] src, int n, int c, int h, int w, RandomGenerator rng) {
    float[] out = src.clone();
    int plane = h * w;
    int image = c * plane;
    for (int i = 0; i < n; i++) {
      if (!(rng.nextDouble() < p)) {
        continue;
      }
      float b = (float) Images.uniform(rng, 1 - brightness, 1 + brightness);
      float k = (float) Images.uniform(rng, 1 - contrast, 1 + contrast);
      boolean brightnessFirst = !randomOrder || rng.nextBoolean();
      int from = i * image;
      int to = from + image;
      if (brightnessFirst) {
        brightness(out, from, to, b);
        contrast(out, from, c, plane, k);
      } else {
        contrast(out, from, c, plane, k);
        brightness(out, from, to, b);
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
        sum += 0.299 * a[from + j] + 0.587 * a[from + plane + j] + 0.114 * a[from + 2 * plane + j];
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
}
