package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;

/**
 * Mirrors each image left-right with probability {@code p} (one draw per image, all channels).
 *
 * @param p probability of flipping an image, in [0, 1]
 */
public record HorizontalFlip(double p) implements PixelAugmentation {

  /** Validates {@code p}. */
  public HorizontalFlip {
    Images.checkProbability("HorizontalFlip p", p);
  }

  /** SimCLR's flip: p = 0.5. */
  public static HorizontalFlip simclr() {
    return new HorizontalFlip(0.5);
  }

  @Override
  public float[] apply(float[] src, int n, int c, int h, int w, RandomGenerator rng) {
    float[] out = src.clone();
    int image = c * h * w;
    for (int i = 0; i < n; i++) {
      if (rng.nextDouble() < p) {
        for (int row = i * image, end = row + image; row < end; row += w) {
          for (int x = 0; x < w; x++) {
            out[row + x] = src[row + w - 1 - x];
          }
        }
      }
    }
    return out;
  }
}
