package io.github.ssl4j.tasks.masked;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Parameter checks and patch-grid helpers shared by the patch-based mask generators. */
final class Masks {
  private Masks() {}

  static void checkPatchSize(String owner, int patchSize) {
    if (patchSize < 1) {
      throw new IllegalArgumentException(
          owner + " patchSize must be >= 1 pixel, got " + patchSize
              + "; use a size that divides the image sides, e.g. 4 for 28x28 images (7x7 patches)");
    }
  }

  static void checkRatio(String owner, double ratio) {
    if (!(ratio > 0 && ratio < 1)) {
      throw new IllegalArgumentException(
          owner + " ratio (fraction of patches masked) must be in (0, 1), got " + ratio
              + "; e.g. 0.5");
    }
  }

  /** Checks the batch and image size; returns {gridHeight, gridWidth} in patches. */
  static int[] checkImage(int batch, int height, int width, int patchSize) {
    if (batch < 1) {
      throw new IllegalArgumentException(
          "Mask batch size must be >= 1, got " + batch + "; pass the number of images to mask");
    }
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "Mask image size must be at least 1x1 pixels, got " + height + "x" + width
              + "; pass the image height and width, e.g. 28, 28");
    }
    if (height % patchSize != 0 || width % patchSize != 0) {
      throw new IllegalArgumentException(
          height + "x" + width + " image is not divisible into " + patchSize + "x" + patchSize
              + " patches; use a patch size that divides both sides, e.g. "
              + suggestions(height, width) + ", or crop/pad the images");
    }
    if ((long) batch * height * width > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Mask batch too large for one buffer: " + batch + " x " + height + "x" + width
              + "; sample masks for smaller batches");
    }
    return new int[] {height / patchSize, width / patchSize};
  }

  /** Common divisors of both sides, as "a, b or c" (1 when there is no other). */
  private static String suggestions(int height, int width) {
    List<String> d = new ArrayList<>();
    int max = Math.min(height, width);
    for (int p = 2; p < max && d.size() < 4; p++) {
      if (height % p == 0 && width % p == 0) {
        d.add(String.valueOf(p));
      }
    }
    if (d.isEmpty()) {
      return "1";
    }
    if (d.size() == 1) {
      return d.get(0);
    }
    return String.join(", ", d.subList(0, d.size() - 1)) + " or " + d.get(d.size() - 1);
  }

  /**
   * {@link #target} for one image of this size, after {@link #checkImage}: the number of patches a
   * patch mask hides per image.
   */
  static int maskedPatches(String owner, int patchSize, double ratio, int height, int width) {
    return target(owner, patchSize, ratio, height, width, checkImage(1, height, width, patchSize));
  }

  /**
   * Number of patches to mask, {@code round(ratio * nPatches)}, which must leave at least one
   * patch hidden and one visible.
   *
   * @param grid {gridHeight, gridWidth} in patches
   * @throws IllegalArgumentException if the count is 0 or every patch
   */
  static int target(String owner, int patchSize, double ratio, int height, int width, int[] grid) {
    int n = grid[0] * grid[1];
    long k = Math.round(ratio * n);
    if (n < 2) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "%s(patch %d, ratio %s) on %dx%d images: a 1x1 grid of 1 patch, which would be masked"
              + " whole (every pixel) or not at all; expected a grid of at least 2 patches so that"
              + " some are hidden and some visible. Use a smaller patch size, e.g. %s for %dx%d"
              + " images",
          owner, patchSize, ratio, height, width, suggestions(height, width), height, width));
    }
    if (k < 1 || k > n - 1) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "%s(patch %d, ratio %s) on %dx%d images: a %dx%d grid of %d patches, and round(%s * %d)"
              + " = %d patches would be masked, i.e. %s; expected between 1 and %d masked patches so"
              + " that some are hidden and some visible. Use a ratio between %.3g and %.3g, or a"
              + " smaller patch size (e.g. %s for %dx%d images)",
          owner, patchSize, ratio, height, width, grid[0], grid[1], n, ratio, n, k,
          k < 1 ? "none" : "every pixel", n - 1, 0.5 / n, 1 - 0.5 / n, suggestions(height, width),
          height, width));
    }
    return (int) k;
  }

  /** Chooses {@code k} distinct entries of {@code pool[0, size)} uniformly (partial Fisher–Yates). */
  static void choose(int[] pool, int size, int k, RandomGenerator rng) {
    for (int i = 0; i < k; i++) {
      int j = i + rng.nextInt(size - i);
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
  }

  /** Sets the pixels of patch {@code patch} (row-major in the grid) of image {@code image} to 1. */
  static void paint(float[] out, int image, int patch, int gridWidth, int patchSize, int height,
      int width) {
    int top = (patch / gridWidth) * patchSize;
    int left = (patch % gridWidth) * patchSize;
    int base = image * height * width + top * width + left;
    for (int y = 0; y < patchSize; y++) {
      int from = base + y * width;
      Arrays.fill(out, from, from + patchSize, 1f);
    }
  }

  /** Wraps a c-order buffer as a FLOAT array [batch, 1, height, width]. */
  static INDArray toArray(float[] pixels, int batch, int height, int width) {
    long[] s = {batch, 1, height, width};
    return Nd4j.create(Nd4j.createBuffer(pixels), s, Nd4j.getStrides(s, 'c'), 0, 'c',
        DataType.FLOAT);
  }
}
