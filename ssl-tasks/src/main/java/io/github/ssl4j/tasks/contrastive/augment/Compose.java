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
   * and Gaussian blur of the paper are left out (grey, small images); for RGB or larger images use
   * {@link #simclr(int, int, int)}.
   */
  public static Compose simclr() {
    return of(RandomResizedCrop.simclr(), HorizontalFlip.simclr(), ColorJitter.simclr(), new GaussianNoise(0.05));
  }

  /** Smallest image side from which {@link #simclr(int, int, int)} adds a Gaussian blur. */
  public static final int BLUR_MIN_SIZE = 64;

  /**
   * SimCLR's per-view pipeline for images of this channel count and size.
   *
   * <p>RGB (3 channels): SimCLR's full set, in the paper's order: {@code new
   * RandomResizedCrop(0.08, 1.0, 3/4, 4/3)}, {@link HorizontalFlip#simclr()} (p = 0.5), {@link
   * ColorJitter#simclrRgb()} (brightness, contrast, saturation 0.4, hue 0.1, p = 0.8), {@link
   * RandomGrayscale#simclr()} (p = 0.2) and, when the smaller side is at least {@link
   * #BLUR_MIN_SIZE} px, {@link GaussianBlur#simclr(int)} (kernel about 10 % of the side, sigma
   * 0.1–2.0, p = 0.5; the paper leaves the blur out for 32 px CIFAR images). No added noise.
   *
   * <p>Any other channel count (grey images): the steps of {@link #simclr()}, with {@link
   * GaussianBlur#simclr(int)} inserted before the noise when the smaller side is at least {@link
   * #BLUR_MIN_SIZE} px; below that size the pipeline equals {@link #simclr()} and gives the same
   * views for the same generator. Saturation, hue and grayscale have no effect on grey images and
   * are left out.
   *
   * @param channels image channels, &gt;= 1 (3 = RGB)
   * @param height image height in pixels, &gt;= 1
   * @param width image width in pixels, &gt;= 1
   */
  public static Compose simclr(int channels, int height, int width) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "Compose.simclr needs channels, height and width >= 1, got " + channels + ", " + height
              + ", " + width + "; e.g. simclr(3, 96, 96) for 96x96 RGB images");
    }
    int side = Math.min(height, width);
    boolean blur = side >= BLUR_MIN_SIZE;
    if (channels == 3) {
      List<ImageAugmentation> steps = new java.util.ArrayList<>(List.of(
          new RandomResizedCrop(0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0), HorizontalFlip.simclr(),
          ColorJitter.simclrRgb(), RandomGrayscale.simclr()));
      if (blur) {
        steps.add(GaussianBlur.simclr(side));
      }
      return new Compose(steps);
    }
    if (!blur) {
      return simclr();
    }
    return of(RandomResizedCrop.simclr(), HorizontalFlip.simclr(), ColorJitter.simclr(),
        GaussianBlur.simclr(side), new GaussianNoise(0.05));
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
