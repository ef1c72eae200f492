package io.github.ssl4j.tasks.masked;

import static io.github.ssl4j.tasks.masked.MaskChecks.assertRejected;
import static io.github.ssl4j.tasks.masked.MaskChecks.count;
import static io.github.ssl4j.tasks.masked.MaskChecks.neighbourPairs;
import static io.github.ssl4j.tasks.masked.MaskChecks.patchGrid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class BlockMaskTest {

  @Test
  void w2MasksExactly25Of49PatchesPerImage() {
    BlockMask m = BlockMask.of(4, 0.5);
    assertEquals(25, m.maskedPatches(28, 28));
    INDArray mask = m.sample(500, 28, 28, new SplittableRandom(7));
    int[][] grid = patchGrid(mask, 500, 28, 28, 4);
    for (int i = 0; i < 500; i++) {
      assertEquals(25, count(grid[i]), "image " + i);
    }
    assertEquals(400.0, mask.slice(0).sumNumber().doubleValue(), 0.0);
    assertEquals("block", m.config().get("mask"));
    assertEquals(4, m.config().get("minBlockPatches"));
  }

  @Test
  void countIsExactForOtherGridsRatiosAndBlockSizes() {
    // {patch, h, w, ratio*100, minBlock}; large minimum blocks force the single-patch fill.
    int[][] cases = {
        {4, 28, 28, 10, 4}, {4, 28, 28, 90, 4}, {4, 28, 28, 50, 49}, {4, 28, 28, 30, 20},
        {1, 10, 6, 50, 4}, {1, 10, 6, 95, 2}, {2, 8, 2, 40, 1}, {7, 28, 28, 50, 100}};
    for (int[] c : cases) {
      BlockMask m = BlockMask.of(c[0], c[3] / 100.0, c[4]);
      int target = m.maskedPatches(c[1], c[2]);
      for (int seed = 0; seed < 5; seed++) {
        int[][] grid = patchGrid(m.sample(40, c[1], c[2], new SplittableRandom(seed)), 40, c[1],
            c[2], c[0]);
        for (int[] g : grid) {
          assertEquals(target, count(g), java.util.Arrays.toString(c));
        }
      }
    }
  }

  @Test
  void sameSeedSameMasksOtherSeedAndOtherImagesDiffer() {
    BlockMask m = BlockMask.of(4, 0.5);
    INDArray a = m.sample(32, 28, 28, new SplittableRandom(7));
    assertEquals(a, m.sample(32, 28, 28, new SplittableRandom(7)));
    assertNotEquals(a, m.sample(32, 28, 28, new SplittableRandom(8)));
    Set<List<Integer>> distinct = new HashSet<>();
    for (int[] g : patchGrid(a, 32, 28, 28, 4)) {
      distinct.add(java.util.Arrays.stream(g).boxed().toList());
    }
    assertTrue(distinct.size() >= 30, "only " + distinct.size() + " distinct masks of 32");
  }

  @Test
  void blocksKeepMaskedPatchesTogetherMoreThanRandomPatches() {
    int n = 1000;
    double block = meanPairs(BlockMask.of(4, 0.5).sample(n, 28, 28, new SplittableRandom(3)), n);
    double random =
        meanPairs(RandomPatchMask.of(4, 0.5).sample(n, 28, 28, new SplittableRandom(3)), n);
    // Random 25 of 49 on a 7x7 grid: 84 pairs * (25/49) * (24/48) = 21.4 expected.
    assertEquals(21.4, random, 1.0);
    assertTrue(block > random + 5, "block " + block + " vs random " + random);
  }

  private static double meanPairs(INDArray mask, int n) {
    double sum = 0;
    for (int[] g : patchGrid(mask, n, 28, 28, 4)) {
      sum += neighbourPairs(g, 7, 7);
    }
    return sum / n;
  }

  @Test
  void badSettingsAreRejectedWithTheValue() {
    assertRejected(() -> BlockMask.of(0, 0.5), "patchSize", "0");
    assertRejected(() -> BlockMask.of(4, 0), "ratio", "0.0", "(0, 1)");
    assertRejected(() -> BlockMask.of(4, 1), "ratio", "1.0", "(0, 1)");
    assertRejected(() -> BlockMask.of(4, Double.NaN), "ratio", "NaN");
    assertRejected(() -> BlockMask.of(4, 0.5, 0), "minBlockPatches", "0");
    assertRejected(() -> new BlockMask(4, 0.5, 4, 0, 2), "aspect", "0.0");
    assertRejected(() -> new BlockMask(4, 0.5, 4, 2, 1), "aspect", "[2.0, 1.0]");
    assertRejected(() -> new BlockMask(4, 0.5, 4, 0.3, Double.POSITIVE_INFINITY), "Infinity");
    BlockMask m = BlockMask.of(5, 0.5);
    assertRejected(() -> m.sample(2, 28, 28, new SplittableRandom(1)),
        "28x28 image is not divisible into 5x5 patches", "4", "7");
    assertRejected(() -> BlockMask.of(4, 0.5).sample(0, 28, 28, new SplittableRandom(1)),
        "batch", "0");
    // one patch covering the image would mask every pixel
    assertRejected(() -> BlockMask.of(28, 0.5).sample(2, 28, 28, new SplittableRandom(1)),
        "BlockMask(patch 28, ratio 0.5)", "every pixel", "at least 2 patches");
  }
}
