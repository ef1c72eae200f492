package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;

/**
 * Converts each RGB image to grey with probability {@code p}, as torchvision's {@code
 * RandomGrayscale(p)}: every channel of a converted image becomes the ITU-R 601-2 luma {@code
 * 0.299 R + 0.587 G + 0.114 B}, so the output keeps 3 (equal) channels and the batch keeps its
 * shape.
 *
 * <p>Images that do not have exactly 3 channels are already grey (or not RGB) and are returned
 * unchanged, as torchvision does for 1-channel images. Draws one {@code nextDouble} per image, for
 * any channel count.
 *
 * @param p probability of converting an image, in [0, 1]
 */
public record RandomGrayscale(double p) implements PixelAugmentation {

  /** Validates {@code p}. */
  public RandomGrayscale {
    Images.checkProbability("RandomGrayscale p", p);
  }

  /** SimCLR's random grayscale: p = 0.2. */
  public static RandomGrayscale simclr() {
    return new RandomGrayscale(0.2);
  }

  @Override
  public float[] apply(float[] src, int n, int c, int h, int w, RandomGenerator rng) {
    float[] out = src.clone();
    int plane = h * w;
    for (int i = 0; i < n; i++) {
      boolean convert = rng.nextDouble() < p;
      if (!convert || c != 3) {
        continue;
      }
      int r = i * 3 * plane;
      for (int j = 0; j < plane; j++) {
        float luma =
            Images.clamp01((float) (ColorJitter.LUMA_R * out[r + j] + ColorJitter.LUMA_G * out[r + plane + j]
                + ColorJitter.LUMA_B * out[r + 2 * plane + j]));
        out[r + j] = luma;
        out[r + plane + j] = luma;
        out[r + 2 * plane + j] = luma;
      }
    }
    return out;
  }
}
