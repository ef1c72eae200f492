package io.github.ssl4j.tasks.masked;

import static io.github.ssl4j.tasks.masked.MaskChecks.assertRejected;
import static io.github.ssl4j.tasks.masked.MaskChecks.count;
import static io.github.ssl4j.tasks.masked.MaskChecks.patchGrid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RandomPatchMaskTest {

  @Test
  void w2MasksExactly25Of49PatchesPerImage() {
    RandomPatchMask m = RandomPatchMask.of(4, 0.5);
    assertEquals(25, m.maskedPatches(28, 28));
    INDArray mask = m.sample(64, 28, 28, new SplittableRandom(7));
    int[][] grid = patchGrid(mask, 64, 28, 28, 4);
    for (int i = 0; i < 64; i++) {
      assertEquals(25, count(grid[i]), "image " + i);
      assertEquals(400.0, mask.slice(i).sumNumber().doubleValue(), 0.0, "image " + i);
    }
    assertEquals(Map.of("mask", "random-patches", "patchSize", 4, "ratio", 0.5), m.config());
  }

  @Test
  void sameSeedSameMasksOtherSeedAndOtherImagesDiffer() {
    RandomPatchMask m = RandomPatchMask.of(4, 0.5);
    INDArray a = m.sample(32, 28, 28, new SplittableRandom(7));
    assertEquals(a, m.sample(32, 28, 28, new SplittableRandom(7)));
    assertNotEquals(a, m.sample(32, 28, 28, new SplittableRandom(8)));
    Set<List<Integer>> distinct = new HashSet<>();
    for (int[] g : patchGrid(a, 32, 28, 28, 4)) {
      distinct.add(java.util.Arrays.stream(g).boxed().toList());
    }
    assertEquals(32, distinct.size(), "images within a batch get independent masks");
  }

  @Test
  void everyPatchPositionIsMaskedWithFrequencyNearTheRatio() {
    int n = 2000;
    int[][] grid = patchGrid(RandomPatchMask.of(4, 0.5).sample(n, 28, 28, new SplittableRandom(11)),
        n, 28, 28, 4);
    for (int p = 0; p < 49; p++) {
      int hits = 0;
      for (int[] g : grid) {
        hits += g[p];
      }
      double f = hits / (double) n;
      assertEquals(0.5, f, 0.05, "patch " + p + " masked with frequency " + f);
    }
  }

  @Test
  void otherGridsAndRatiosRoundTheCount() {
    // 12x8 with 4x4 patches: a 3x2 grid, round(0.3 * 6) = 2.
    RandomPatchMask a = RandomPatchMask.of(4, 0.3);
    assertEquals(2, a.maskedPatches(12, 8));
    for (int[] g : patchGrid(a.sample(20, 12, 8, new SplittableRandom(1)), 20, 12, 8, 4)) {
      assertEquals(2, count(g));
    }
    // Single pixels: round(0.1 * 25) = 3 (half rounds up).
    RandomPatchMask b = RandomPatchMask.of(1, 0.1);
    for (int[] g : patchGrid(b.sample(20, 5, 5, new SplittableRandom(2)), 20, 5, 5, 1)) {
      assertEquals(3, count(g));
    }
  }

  @Test
  void aGridThatWouldHideNothingOrEverythingIsRefused() {
    // round(0.01 * 4) = 0 patches: nothing hidden
    assertRejected(() -> RandomPatchMask.of(2, 0.01).maskedPatches(4, 4),
        "RandomPatchMask(patch 2, ratio 0.01)", "round(0.01 * 4) = 0", "none", "between 1 and 3");
    // one patch covering the image: round(0.5 * 1) = 1 would mask every pixel
    assertRejected(() -> RandomPatchMask.of(28, 0.5).sample(3, 28, 28, new SplittableRandom(3)),
        "RandomPatchMask(patch 28, ratio 0.5) on 28x28", "1x1 grid of 1 patch", "every pixel",
        "smaller patch size");
    // round(0.99 * 49) = 49: every patch
    assertRejected(() -> RandomPatchMask.of(4, 0.99).maskedPatches(28, 28), "= 49", "between 1 and 48");
    // the edges that still leave both kinds
    assertEquals(1, RandomPatchMask.of(4, 0.02).maskedPatches(28, 28));
    assertEquals(48, RandomPatchMask.of(4, 0.98).maskedPatches(28, 28));
  }

  @Test
  void aLambdaIsAGeneratorWithADefaultConfig() {
    MaskGenerator none = (batch, h, w, rng) -> Nd4j.zeros(batch, 1, h, w);
    assertArrayEquals(new long[] {2, 1, 3, 3}, none.sample(2, 3, 3, new SplittableRandom(1))
        .shape());
    assertTrue(none.config().containsKey("mask"));
    assertFalse(none.config().isEmpty());
  }

  @Test
  void badSettingsAreRejectedWithTheValue() {
    assertRejected(() -> RandomPatchMask.of(0, 0.5), "patchSize", "0");
    assertRejected(() -> RandomPatchMask.of(-3, 0.5), "patchSize", "-3");
    assertRejected(() -> RandomPatchMask.of(4, 0), "ratio", "0.0", "(0, 1)");
    assertRejected(() -> RandomPatchMask.of(4, 1), "ratio", "1.0", "(0, 1)");
    assertRejected(() -> RandomPatchMask.of(4, Double.NaN), "ratio", "NaN");
    assertRejected(() -> RandomPatchMask.of(4, -0.2), "ratio", "-0.2");
    RandomPatchMask five = RandomPatchMask.of(5, 0.5);
    assertRejected(() -> five.sample(2, 28, 28, new SplittableRandom(1)),
        "28x28 image is not divisible into 5x5 patches", "4", "7");
    assertRejected(() -> five.maskedPatches(28, 28), "28x28", "5x5");
    assertRejected(() -> RandomPatchMask.of(4, 0.5).sample(4, 28, 30, new SplittableRandom(1)),
        "28x30", "4x4", "2");
    assertRejected(() -> RandomPatchMask.of(4, 0.5).sample(0, 28, 28, new SplittableRandom(1)),
        "batch", "0");
    assertRejected(() -> RandomPatchMask.of(4, 0.5).sample(1, 0, 28, new SplittableRandom(1)),
        "0x28");
  }
}
