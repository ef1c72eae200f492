package io.github.ssl4j.tasks.contrastive.augment;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Makes several augmented views of every image and stacks them in one batch: view v of image i is
 * row {@code v * n + i}, i.e. [view 1 of all n images; view 2 of all n images; ...]. This is the
 * layout {@code InfoNceLoss.viewLabels(n, views, type)} labels, and it lets one encoder path (shared
 * weights) embed all views in one minibatch.
 *
 * <p>Views are produced in order (all of view 1, then view 2, ...) from the one generator, so the
 * result is deterministic for a generator state.
 *
 * <pre>{@code
 * INDArray views = MultiViewTransform.simclr().apply(images, rng); // [n,1,28,28] -> [2n,1,28,28]
 * }</pre>
 *
 * @param views one augmentation per view (at least 2; may differ per view, as in BYOL)
 */
public record MultiViewTransform(List<ImageAugmentation> views) {

  /** Copies and checks the views. */
  public MultiViewTransform {
    Objects.requireNonNull(views, "views");
    if (views.size() < 2) {
      throw new IllegalArgumentException(
          "A multi-view transform needs at least 2 views (a positive pair), got " + views.size()
              + "; use MultiViewTransform.of(augmentation, 2)");
    }
    for (int v = 0; v < views.size(); v++) {
      if (views.get(v) == null) {
        throw new IllegalArgumentException("View " + v + " augmentation is null");
      }
    }
    views = List.copyOf(views);
  }

  /** {@code count} views, each made by the same (randomly applied) augmentation. */
  public static MultiViewTransform of(ImageAugmentation augmentation, int count) {
    Objects.requireNonNull(augmentation, "augmentation");
    if (count < 2) {
      throw new IllegalArgumentException(
          "A multi-view transform needs at least 2 views (a positive pair), got " + count
              + "; use 2 for SimCLR");
    }
    return new MultiViewTransform(java.util.Collections.nCopies(count, augmentation));
  }

  /** SimCLR's positive pair: two views, each made by {@link Compose#simclr()}. */
  public static MultiViewTransform simclr() {
    return of(Compose.simclr(), 2);
  }

  /**
   * SimCLR's positive pair for images of this channel count and size: two views, each made by
   * {@link Compose#simclr(int, int, int)} (the full set with colour jitter, grayscale and, from
   * {@link Compose#BLUR_MIN_SIZE} px, blur for RGB).
   */
  public static MultiViewTransform simclr(int channels, int height, int width) {
    return of(Compose.simclr(channels, height, width), 2);
  }

  /** Number of views per image. */
  public int count() {
    return views.size();
  }

  /**
   * Makes the views.
   *
   * @param batch images, shape [n, c, h, w], values in [0, 1]; not modified
   * @param rng the only source of randomness
   * @return a new FLOAT array of shape [count() * n, c, h, w]; view v of image i at row v * n + i
   */
  public INDArray apply(INDArray batch, RandomGenerator rng) {
    int[] s = Images.checkBatch(batch);
    long total = (long) s[0] * s[1] * s[2] * s[3] * views.size();
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Batch with " + views.size() + " views is too large for one buffer (" + total
              + " values); use a smaller batch");
    }
    float[] pixels = Images.pixels(batch);
    float[] out = new float[(int) total];
    for (int v = 0; v < views.size(); v++) {
      ImageAugmentation aug = views.get(v);
      float[] view =
          aug instanceof PixelAugmentation p
              ? p.apply(pixels, s[0], s[1], s[2], s[3], rng)
              : Images.pixels(aug.apply(Images.toArray(pixels.clone(), s), rng));
      if (view.length != pixels.length) {
        throw new IllegalStateException(
            "View " + v + " augmentation " + aug + " changed the batch shape; augmentations must"
                + " keep [n, c, h, w]");
      }
      System.arraycopy(view, 0, out, v * pixels.length, pixels.length);
    }
    return Images.toArray(out, new int[] {s[0] * views.size(), s[1], s[2], s[3]});
  }
}
