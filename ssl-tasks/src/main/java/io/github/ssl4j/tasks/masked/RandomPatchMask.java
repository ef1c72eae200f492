package io.github.ssl4j.tasks.masked;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Masks a fixed number of square patches per image, chosen uniformly at random without replacement
 * and independently per image, as the PyTorch idiom {@code order = torch.rand(B, n).argsort(1);
 * m[:, order[:, :k]] = 1}.
 *
 * <p>The image is split into a grid of {@code patchSize x patchSize} patches ({@code (h / p) * (w /
 * p)} patches, row-major) and exactly {@link #maskedPatches(int, int)} = {@code round(ratio *
 * nPatches)} of them are masked in every image (e.g. 25 of 49 for {@code of(4, 0.5)} on 28x28
 * images). The count must be between 1 and {@code nPatches - 1}, so that some patches are hidden
 * and some visible: {@code of(28, 0.5)} on 28x28 images (one patch) is refused with an {@link
 * IllegalArgumentException} rather than masking every pixel. Draws per image: {@code k} calls of
 * {@code rng.nextInt(bound)} (a partial Fisher–Yates shuffle).
 *
 * @param patchSize side of a square patch in pixels, &gt;= 1
 * @param ratio fraction of patches to mask, in (0, 1)
 */
public record RandomPatchMask(int patchSize, double ratio) implements MaskGenerator {

  /** Validates the parameters. */
  public RandomPatchMask {
    Masks.checkPatchSize("RandomPatchMask", patchSize);
    Masks.checkRatio("RandomPatchMask", ratio);
  }

  /** Random patches of {@code patchSize x patchSize} pixels, a fraction {@code ratio} masked. */
  public static RandomPatchMask of(int patchSize, double ratio) {
    return new RandomPatchMask(patchSize, ratio);
  }

  /**
   * Number of patches masked per image of this size.
   *
   * @throws IllegalArgumentException if the sides are not divisible by the patch size, or the count
   *     would be 0 or every patch (the grid must leave some patches hidden and some visible)
   */
  public int maskedPatches(int height, int width) {
    return Masks.maskedPatches("RandomPatchMask", patchSize, ratio, height, width);
  }

  @Override
  public INDArray sample(int batch, int height, int width, RandomGenerator rng) {
    int[] grid = Masks.checkImage(batch, height, width, patchSize);
    int n = grid[0] * grid[1];
    int k = Masks.target("RandomPatchMask", patchSize, ratio, height, width, grid);
    float[] out = new float[batch * height * width];
    int[] pool = new int[n];
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < n; j++) {
        pool[j] = j;
      }
      Masks.choose(pool, n, k, rng);
      for (int j = 0; j < k; j++) {
        Masks.paint(out, i, pool[j], grid[1], patchSize, height, width);
      }
    }
    return Masks.toArray(out, batch, height, width);
  }

  /** {@code {"mask":"random-patches","patchSize":p,"ratio":r}}. */
  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mask", "random-patches");
    m.put("patchSize", patchSize);
    m.put("ratio", ratio);
    return Collections.unmodifiableMap(m);
  }
}
