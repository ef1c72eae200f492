package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;

/**
 * Adds independent Gaussian noise N(0, sigma^2) to every pixel, then clips to [0, 1]. Draws one
 * {@code nextGaussian()} per pixel in buffer order (none when sigma is 0).
 *
 * @param sigma standard deviation of the noise, finite and &gt;= 0
 */
public record GaussianNoise(double sigma) implements PixelAugmentation {

  /** Validates {@code sigma}. */
  public GaussianNoise {
    if (!(sigma >= 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException(
          "GaussianNoise sigma must be finite and >= 0, got " + sigma + "; e.g. 0.05 for pixels in [0, 1]");
    }
  }

  @Override
  public float[] apply(float[] src, int n, int c, int h, int w, RandomGenerator rng) {
    float[] out = src.clone();
    if (sigma == 0) {
      return out;
    }
    for (int j = 0; j < out.length; j++) {
      out[j] = Images.clamp01((float) (out[j] + sigma * rng.nextGaussian()));
    }
    return out;
  }
}
