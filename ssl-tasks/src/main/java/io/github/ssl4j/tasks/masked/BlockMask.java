package io.github.ssl4j.tasks.masked;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Blockwise masking of BEiT (Bao et al. 2021, "BEiT: BERT Pre-Training of Image Transformers",
 * Algorithm 1): masks rectangles of patches rather than scattered single patches.
 *
 * <p>The image is split into a grid of {@code patchSize x patchSize} patches and exactly {@link
 * #maskedPatches(int, int)} = {@code round(ratio * nPatches)} patches are masked in every
 * image (the same count as {@link RandomPatchMask}). Per image, with {@code remaining} = target
 * minus patches masked so far, blocks are added while {@code remaining > 0}:
 *
 * <ol>
 *   <li>draw the area {@code s} uniformly between {@code minBlockPatches} and {@code remaining}
 *       (in whichever order they are) and the aspect ratio {@code r} log-uniformly in [{@code
 *       minAspect}, {@code maxAspect}];
 *   <li>block height {@code round(sqrt(s * r))} and width {@code round(sqrt(s / r))} patches,
 *       clipped to [1, grid side]; top-left corner uniform over the positions where it fits;
 *   <li>the block is kept only if it masks at least one new patch and at most {@code remaining}
 *       new patches (as BEiT's {@code MaskingGenerator}), so the count never
 *       overshoots the target; otherwise the draw is retried, up to {@value #ATTEMPTS} times.
 * </ol>
 *
 * If {@value #ATTEMPTS} draws in a row are all rejected, no more blocks are added and the missing
 * {@code remaining} patches are chosen uniformly among the still visible ones (partial Fisher–Yates),
 * so the count is always exactly the target. Draws per block attempt: {@code nextDouble} (area),
 * {@code nextDouble} (aspect), {@code nextInt} (top), {@code nextInt} (left); then one {@code
 * nextInt} per filled patch.
 *
 * @param patchSize side of a square patch in pixels, &gt;= 1
 * @param ratio fraction of patches to mask, in (0, 1)
 * @param minBlockPatches smallest block area drawn, in patches, &gt;= 1 (BEiT: 16 of 196; default
 *     4)
 * @param minAspect smallest block aspect ratio (height / width), finite and &gt; 0 (default 0.3)
 * @param maxAspect largest block aspect ratio, finite and &gt;= minAspect (default 1 / 0.3)
 */
public record BlockMask(
    int patchSize, double ratio, int minBlockPatches, double minAspect, double maxAspect)
    implements MaskGenerator {

  /** Block draws in a row that may be rejected before the rest is filled with single patches. */
  public static final int ATTEMPTS = 10;

  /** Default smallest block area, in patches. */
  public static final int DEFAULT_MIN_BLOCK = 4;

  /** Default smallest aspect ratio; the largest is its inverse. */
  public static final double DEFAULT_MIN_ASPECT = 0.3;

  /** Validates the parameters. */
  public BlockMask {
    Masks.checkPatchSize("BlockMask", patchSize);
    Masks.checkRatio("BlockMask", ratio);
    if (minBlockPatches < 1) {
      throw new IllegalArgumentException(
          "BlockMask minBlockPatches must be >= 1 patch, got " + minBlockPatches
              + "; the default is " + DEFAULT_MIN_BLOCK);
    }
    if (!(minAspect > 0) || !(maxAspect >= minAspect) || !Double.isFinite(maxAspect)) {
      throw new IllegalArgumentException(
          "BlockMask aspect range must satisfy 0 < minAspect <= maxAspect < infinity, got ["
              + minAspect + ", " + maxAspect + "]; the default is [0.3, 1/0.3]");
    }
  }

  /** BEiT blocks with the default block size (4 patches) and aspect range [0.3, 1/0.3]. */
  public static BlockMask of(int patchSize, double ratio) {
    return of(patchSize, ratio, DEFAULT_MIN_BLOCK);
  }

  /** BEiT blocks of at least {@code minBlockPatches} patches, aspect range [0.3, 1/0.3]. */
  public static BlockMask of(int patchSize, double ratio, int minBlockPatches) {
    return new BlockMask(
        patchSize, ratio, minBlockPatches, DEFAULT_MIN_ASPECT, 1 / DEFAULT_MIN_ASPECT);
  }

  /**
   * Number of patches masked per image of this size.
   *
   * @throws IllegalArgumentException if the sides are not divisible by the patch size, or the count
   *     would be 0 or every patch (the grid must leave some patches hidden and some visible)
   */
  public int maskedPatches(int height, int width) {
    return Masks.maskedPatches("BlockMask", patchSize, ratio, height, width);
  }

  @Override
  public INDArray sample(int batch, int height, int width, RandomGenerator rng) {
    int[] grid = Masks.checkImage(batch, height, width, patchSize);
    int gh = grid[0];
    int gw = grid[1];
    int n = gh * gw;
    int target = Masks.target("BlockMask", patchSize, ratio, height, width, grid);
    float[] out = new float[batch * height * width];
    boolean[] masked = new boolean[n];
    int[] pool = new int[n];
    for (int i = 0; i < batch; i++) {
      Arrays.fill(masked, false);
      int count = 0;
      while (count < target) {
        int added = addBlock(masked, gh, gw, target - count, rng);
        if (added == 0) {
          break;
        }
        count += added;
      }
      if (count < target) {
        int size = 0;
        for (int p = 0; p < n; p++) {
          if (!masked[p]) {
            pool[size++] = p;
          }
        }
        int need = target - count;
        Masks.choose(pool, size, need, rng);
        for (int j = 0; j < need; j++) {
          masked[pool[j]] = true;
        }
      }
      for (int p = 0; p < n; p++) {
        if (masked[p]) {
          Masks.paint(out, i, p, gw, patchSize, height, width);
        }
      }
    }
    return Masks.toArray(out, batch, height, width);
  }

  /** Tries up to ATTEMPTS blocks; marks the first acceptable one and returns its new patches. */
  private int addBlock(boolean[] masked, int gh, int gw, int remaining, RandomGenerator rng) {
    double lo = Math.min(minBlockPatches, remaining);
    double hi = Math.max(minBlockPatches, remaining);
    double logMin = Math.log(minAspect);
    double logMax = Math.log(maxAspect);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double s = lo + (hi - lo) * rng.nextDouble();
      double r = Math.exp(logMin + (logMax - logMin) * rng.nextDouble());
      int h = (int) Math.max(1, Math.min(gh, Math.round(Math.sqrt(s * r))));
      int w = (int) Math.max(1, Math.min(gw, Math.round(Math.sqrt(s / r))));
      int top = rng.nextInt(gh - h + 1);
      int left = rng.nextInt(gw - w + 1);
      int fresh = 0;
      for (int y = top; y < top + h; y++) {
        for (int x = left; x < left + w; x++) {
          if (!masked[y * gw + x]) {
            fresh++;
          }
        }
      }
      if (fresh > 0 && fresh <= remaining) {
        for (int y = top; y < top + h; y++) {
          Arrays.fill(masked, y * gw + left, y * gw + left + w, true);
        }
        return fresh;
      }
    }
    return 0;
  }

  /**
   * {@code {"mask":"block","patchSize":p,"ratio":r,"minBlockPatches":m,"minAspect":a,
   * "maxAspect":b,"attempts":10}}.
   */
  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mask", "block");
    m.put("patchSize", patchSize);
    m.put("ratio", ratio);
    m.put("minBlockPatches", minBlockPatches);
    m.put("minAspect", minAspect);
    m.put("maxAspect", maxAspect);
    m.put("attempts", ATTEMPTS);
    return Collections.unmodifiableMap(m);
  }
}
