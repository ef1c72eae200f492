package io.github.ssl4j.tasks.contrastive.augment;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Applies augmentations one after the other, each drawing from the same generator in turn. {@link
 * PixelAugmentation} steps are chained on one float buffer; other steps go through an INDArray.
 *
 * @param steps the augmentations in order of application (copied; may be empty: a plain copy)
 */
public record Compose(List<ImageAugmentation> steps) implements PixelAugmentation {

  /** Copies and checks the steps. */
  public Compose {
    Objects.requireNonNull(steps, "steps");
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) == null) {
        throw new IllegalArgumentException(
            "Compose step " + i + " is null; pass only non-null augmentations");
      }
    }
    steps = List.copyOf(steps);
  }

  /** The augmentations in order of application. */
  public static Compose of(ImageAugmentation... steps) {
    Objects.requireNonNull(steps, "steps");
    return new Compose(java.util.Arrays.asList(steps));
  }

  /**
   * SimCLR's per-view pipeline adapted to small grey images: {@link RandomResizedCrop#simclr()}
   * (area 0.5–1 instead of the paper's 0.08–1), {@link HorizontalFlip#simclr()} (p = 0.5, as the
   * paper), {@link ColorJitter#simclr()} (brightness and contrast only, strength 0.5, p = 0.8),
   * then {@code new GaussianNoise(0.05)}, which is not part of SimCLR's recipe. Random grayscale
   * and Gaussian blur of the paper are left out (grey, small images).
   */
  public static Compose simclr() {
    return of(RandomResizedCrop.simclr(), HorizontalFlip.simclr(), ColorJitter.simclr(), new GaussianNoise(0.05));
  }

  @Override
  public float[] apply(float[] pixels, int n, int c, int h, int w, RandomGenerator rng) {
    float[] current = pixels.clone();
    int[] shape = {n, c, h, w};
    for (ImageAugmentation step : steps) {
      if (step instanceof PixelAugmentation pixel) {
        current = pixel.apply(current, n, c, h, w, rng);
      } else {
        current = Images.pixels(step.apply(Images.toArray(current, shape), rng));
        if (current.length != pixels.length) {
          throw new IllegalStateException(
              "Augmentation " + step + " changed the batch size from " + pixels.length + " to "
                  + current.length + " values; Compose steps must keep the shape [n, c, h, w]");
        }
      }
    }
    return current;
  }
}
