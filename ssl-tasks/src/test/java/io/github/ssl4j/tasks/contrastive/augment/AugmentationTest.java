package io.github.ssl4j.tasks.contrastive.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AugmentationTest {

  private static INDArray images(int n, int c, int h, int w, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[n * c * h * w];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextDouble();
    }
    return Nd4j.create(v, new long[] {n, c, h, w}, 'c');
  }

  private static void assertInUnitRange(INDArray a) {
    assertTrue(a.minNumber().doubleValue() >= 0, "min " + a.minNumber());
    assertTrue(a.maxNumber().doubleValue() <= 1, "max " + a.maxNumber());
  }

  @Test
  void w1ViewsAreDeterministicForASeedAndStackedViewByView() {
    INDArray x = images(6, 1, 28, 28, 1);
    INDArray copy = x.dup();
    MultiViewTransform t = MultiViewTransform.simclr();
    INDArray a = t.apply(x, new SplittableRandom(7));
    INDArray b = t.apply(x, new SplittableRandom(7));
    INDArray c = t.apply(x, new SplittableRandom(8));
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertEquals(copy, x, "input must not be modified");
    assertArrayEquals(new long[] {12, 1, 28, 28}, a.shape());
    assertEquals(DataType.FLOAT, a.dataType());
    assertInUnitRange(a);

    // View 1 of all images first, drawn from the generator before view 2.
    RandomGenerator rng = new SplittableRandom(7);
    INDArray view1 = Compose.simclr().apply(x, rng);
    INDArray view2 = Compose.simclr().apply(x, rng);
    assertEquals(view1, a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6)));
    assertEquals(view2, a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(6, 12)));
  }

  @Test
  void flipTwiceIsIdentityAndFlipMirrors() {
    INDArray x = images(3, 2, 5, 7, 2);
    HorizontalFlip always = new HorizontalFlip(1.0);
    INDArray once = always.apply(x, new SplittableRandom(1));
    assertEquals(x.getFloat(1, 1, 2, 0), once.getFloat(1, 1, 2, 6));
    assertEquals(x, always.apply(once, new SplittableRandom(2)));
    assertEquals(x, new HorizontalFlip(0.0).apply(x, new SplittableRandom(3)));
  }

  @Test
  void fullScaleSquareCropIsIdentity() {
    INDArray x = images(4, 3, 28, 28, 3);
    INDArray y = new RandomResizedCrop(1, 1, 1, 1).apply(x, new SplittableRandom(4));
    assertTrue(x.equalsWithEps(y, 1e-6));
    // Non-square: the fallback centred box covers the whole image too.
    INDArray r = images(2, 1, 10, 14, 5);
    assertTrue(r.equalsWithEps(
        new RandomResizedCrop(1, 1, 1, 1.5).apply(r, new SplittableRandom(4)), 1e-6));
  }

  @Test
  void cropKeepsShapeAndRangeAndResizesConstantsToConstants() {
    INDArray x = images(8, 1, 28, 28, 6);
    INDArray y = RandomResizedCrop.simclr().apply(x, new SplittableRandom(5));
    assertArrayEquals(x.shape(), y.shape());
    assertInUnitRange(y);
    assertNotEquals(x, y);
    INDArray grey = Nd4j.valueArrayOf(new long[] {4, 1, 9, 9}, 0.25f);
    assertTrue(grey.equalsWithEps(
        new RandomResizedCrop(0.1, 0.3, 0.5, 2).apply(grey, new SplittableRandom(1)), 1e-6));
  }

  /**
   * Reference for a sub-pixel crop: PyTorch's {@code F.affine_grid} + {@code F.grid_sample}
   * (bilinear, {@code align_corners=False}, {@code padding_mode='border'}) written in normalised
   * coordinates, with theta = [[cw/W, 0, tx], [0, ch/H, ty]] for a box of cw x ch pixels whose
   * top-left corner is at (left, top).
   */
  private static float[] affineWarp(float[] plane, int h, int w, double top, double left,
      double ch, double cw) {
    double tx = 2 * (left + cw / 2) / w - 1;
    double ty = 2 * (top + ch / 2) / h - 1;
    float[] out = new float[h * w];
    for (int oy = 0; oy < h; oy++) {
      for (int ox = 0; ox < w; ox++) {
        double gx = cw / w * ((2.0 * ox + 1) / w - 1) + tx;
        double gy = ch / h * ((2.0 * oy + 1) / h - 1) + ty;
        double ix = Math.min(Math.max(((gx + 1) * w - 1) / 2, 0), w - 1);
        double iy = Math.min(Math.max(((gy + 1) * h - 1) / 2, 0), h - 1);
        out[oy * w + ox] = (float) bilinear(plane, 0, w, ix, iy, w - 1, h - 1);
      }
    }
    return out;
  }

  /**
   * Bilinear value of the row-major plane at {@code offset} (row length {@code stride}) at column
   * {@code ix}, row {@code iy} (both &gt;= 0); the right and lower neighbours are clamped to
   * column {@code maxX} and row {@code maxY}.
   */
  private static double bilinear(float[] a, int offset, int stride, double ix, double iy,
      int maxX, int maxY) {
    int x0 = (int) Math.floor(ix);
    int y0 = (int) Math.floor(iy);
    int x1 = Math.min(x0 + 1, maxX);
    int y1 = Math.min(y0 + 1, maxY);
    double fx = ix - x0;
    double fy = iy - y0;
    return (1 - fy) * ((1 - fx) * a[offset + y0 * stride + x0] + fx * a[offset + y0 * stride + x1])
        + fy * ((1 - fx) * a[offset + y1 * stride + x0] + fx * a[offset + y1 * stride + x1]);
  }

  @Test
  void subPixelCropIsTheAffineWarpOfTheDrawnBox() {
    int n = 5;
    int h = 28;
    int w = 28;
    INDArray x = images(n, 2, h, w, 14);
    float[] src = x.data().asFloat();
    // Fixed size (area 0.45, aspect 1.2: 14.52 x 17.39 px, never whole), so only the offsets vary.
    double scale = 0.45;
    double aspect = 1.2;
    RandomResizedCrop crop = new RandomResizedCrop(
        scale, scale, aspect, aspect, RandomResizedCrop.Placement.SUB_PIXEL);
    float[] y = crop.apply(x, new SplittableRandom(21)).data().asFloat();
    double cw = Math.sqrt(h * w * scale * aspect);
    double ch = Math.sqrt(h * w * scale / aspect);
    SplittableRandom replay = new SplittableRandom(21);
    int plane = h * w;
    for (int i = 0; i < n; i++) {
      replay.nextDouble(); // area
      replay.nextDouble(); // log aspect
      double top = replay.nextDouble() * (h - ch);
      double left = replay.nextDouble() * (w - cw);
      for (int c = 0; c < 2; c++) { // one box per image, shared by its channels
        int base = (i * 2 + c) * plane;
        float[] expected = affineWarp(
            Arrays.copyOfRange(src, base, base + plane), h, w, top, left, ch, cw);
        assertArrayEquals(expected, Arrays.copyOfRange(y, base, base + plane), 1e-5f,
            "image " + i + " channel " + c);
      }
    }
  }

  @Test
  void wholePixelCropResizesTheBoxPixelsOnly() {
    // Area 1/4, aspect 1 of 28 x 28: a 14 x 14 box at whole-pixel offsets, up-sampled 2x.
    INDArray x = images(3, 1, 28, 28, 15);
    float[] src = x.data().asFloat();
    float[] y = new RandomResizedCrop(0.25, 0.25, 1, 1).apply(x, new SplittableRandom(22))
        .data().asFloat();
    SplittableRandom replay = new SplittableRandom(22);
    for (int i = 0; i < 3; i++) {
      replay.nextDouble();
      replay.nextDouble();
      int top = replay.nextInt(15);
      int left = replay.nextInt(15);
      for (int oy = 0; oy < 28; oy++) {
        for (int ox = 0; ox < 28; ox++) {
          // half-pixel centres, clamped inside the box
          double sx = Math.min(Math.max((ox + 0.5) / 2 - 0.5, 0), 13);
          double sy = Math.min(Math.max((oy + 0.5) / 2 - 0.5, 0), 13);
          double v = bilinear(src, i * 784 + top * 28 + left, 28, sx, sy, 13, 13);
          assertEquals(v, y[i * 784 + oy * 28 + ox], 1e-5, "image " + i + " at " + oy + "," + ox);
        }
      }
    }
  }

  @Test
  void simclrPresetsAreTorchvisionStyle() {
    assertEquals(new RandomResizedCrop(0.5, 1.0, 0.75, 4.0 / 3.0,
        RandomResizedCrop.Placement.WHOLE_PIXEL), RandomResizedCrop.simclr());
    assertEquals(new ColorJitter(0.4, 0.4, 0.8, true), ColorJitter.simclr());
    assertEquals(List.of(RandomResizedCrop.simclr(), new HorizontalFlip(0.5), ColorJitter.simclr(),
        new GaussianNoise(0.05)), Compose.simclr().steps());
  }

  @Test
  void fixedOrderJitterIsBrightnessThenContrastWithThreeDrawsPerImage() {
    INDArray x = images(6, 1, 5, 5, 16);
    float[] src = x.data().asFloat();
    float[] y = new ColorJitter(0.4, 0.4, 0.7, false).apply(x, new SplittableRandom(23))
        .data().asFloat();
    SplittableRandom replay = new SplittableRandom(23);
    int jittered = 0;
    for (int i = 0; i < 6; i++) {
      float[] expected = Arrays.copyOfRange(src, i * 25, i * 25 + 25);
      if (replay.nextDouble() < 0.7) {
        jittered++;
        double b = 0.6 + 0.8 * replay.nextDouble();
        double k = 0.6 + 0.8 * replay.nextDouble();
        double mean = 0;
        for (int j = 0; j < 25; j++) {
          expected[j] = (float) Math.min(1, Math.max(0, expected[j] * b));
          mean += expected[j] / 25.0;
        }
        for (int j = 0; j < 25; j++) {
          expected[j] = (float) Math.min(1, Math.max(0, k * expected[j] + (1 - k) * mean));
        }
      }
      assertArrayEquals(expected, Arrays.copyOfRange(y, i * 25, i * 25 + 25), 1e-6f, "image " + i);
    }
    assertTrue(jittered > 0 && jittered < 6, "seed should jitter some images, not all: " + jittered);
  }

  @Test
  void noiseHasTheRequestedStatisticsOnMidGrey() {
    INDArray grey = Nd4j.valueArrayOf(new long[] {64, 1, 28, 28}, 0.5f);
    INDArray noise = new GaussianNoise(0.05).apply(grey, new SplittableRandom(9)).sub(0.5);
    assertEquals(0.0, noise.meanNumber().doubleValue(), 1e-3);
    assertEquals(0.05, noise.stdNumber().doubleValue(), 0.05 * 0.02);
    assertEquals(grey, new GaussianNoise(0).apply(grey, new SplittableRandom(9)));
  }

  @Test
  void jitterStaysInRangeAndContrastKeepsTheMean() {
    INDArray x = images(16, 3, 8, 8, 10);
    INDArray y = new ColorJitter(0.4, 0.4, 1.0).apply(x, new SplittableRandom(2));
    assertInUnitRange(y);
    assertNotEquals(x, y);
    assertEquals(x, new ColorJitter(0.4, 0.4, 0.0).apply(x, new SplittableRandom(2)));

    // Values in [0.4, 0.6] never clip under contrast factors in [0.6, 1.4]: the mean is kept.
    INDArray mid = images(4, 1, 6, 6, 11).mul(0.2).add(0.4);
    INDArray contrasted = new ColorJitter(0, 0.4, 1.0).apply(mid, new SplittableRandom(3));
    for (int i = 0; i < 4; i++) {
      assertEquals(mid.slice(i).meanNumber().doubleValue(),
          contrasted.slice(i).meanNumber().doubleValue(), 1e-5);
    }
  }

  @Test
  void composeChainsBufferAndArraySteps() {
    INDArray x = images(2, 1, 4, 4, 12);
    ImageAugmentation halve = (batch, rng) -> batch.mul(0.5);
    INDArray y = Compose.of(new HorizontalFlip(1), halve, new HorizontalFlip(1))
        .apply(x, new SplittableRandom(1));
    assertTrue(x.mul(0.5).equalsWithEps(y, 1e-7));
    assertEquals(x, Compose.of().apply(x, new SplittableRandom(1)));
    // Double input is accepted; output is FLOAT.
    INDArray d = x.castTo(DataType.DOUBLE);
    assertEquals(DataType.FLOAT, HorizontalFlip.simclr().apply(d, new SplittableRandom(1)).dataType());
  }

  @Test
  void invalidParametersAndBatchesAreRejected() {
    List<Runnable> bad = List.of(
        () -> new RandomResizedCrop(0, 1, 0.75, 1.33),
        () -> new RandomResizedCrop(0.5, 1.2, 0.75, 1.33),
        () -> new RandomResizedCrop(0.8, 0.5, 0.75, 1.33),
        () -> new RandomResizedCrop(0.5, 1, 0, 1.33),
        () -> new RandomResizedCrop(0.5, 1, 1.5, 1.33),
        () -> new HorizontalFlip(-0.1),
        () -> new HorizontalFlip(1.1),
        () -> new HorizontalFlip(Double.NaN),
        () -> new ColorJitter(0.4, 0.4, 1.5),
        () -> new ColorJitter(-0.1, 0.4, 0.8),
        () -> new ColorJitter(0.4, 1.5, 0.8),
        () -> new GaussianNoise(-0.01),
        () -> new GaussianNoise(Double.NaN),
        () -> MultiViewTransform.of(Compose.simclr(), 1));
    NullPointerException placement = assertThrows(NullPointerException.class,
        () -> new RandomResizedCrop(0.5, 1, 0.75, 1.33, null));
    assertTrue(placement.getMessage().contains("WHOLE_PIXEL or SUB_PIXEL"), placement.getMessage());
    for (Runnable r : bad) {
      assertThrows(IllegalArgumentException.class, r::run);
    }
    IllegalArgumentException scale = assertThrows(IllegalArgumentException.class,
        () -> new RandomResizedCrop(0.5, 1.2, 0.75, 1.33));
    assertTrue(scale.getMessage().contains("0 < minScale <= maxScale <= 1, got [0.5, 1.2]"),
        scale.getMessage());
    IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
        () -> Compose.simclr().apply(Nd4j.rand(DataType.FLOAT, 4, 784), new SplittableRandom(1)));
    assertTrue(rank.getMessage().contains("[n, c, h, w], got FLOAT [4, 784]"), rank.getMessage());
  }

  @Test
  void w1TwoViewBatchOf256IsFast() {
    INDArray x = images(256, 1, 28, 28, 13);
    MultiViewTransform t = MultiViewTransform.simclr();
    RandomGenerator rng = new SplittableRandom(1);
    for (int i = 0; i < 100; i++) { // JIT warm-up
      t.apply(x, rng);
    }
    java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
    long[] ns = new long[30];
    long[] cpu = new long[30];
    for (int i = 0; i < ns.length; i++) {
      long cpuStart = bean.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      t.apply(x, rng);
      ns[i] = System.nanoTime() - start;
      cpu[i] = bean.getCurrentThreadCpuTime() - cpuStart;
    }
    Arrays.sort(ns);
    Arrays.sort(cpu);
    // Reported, not asserted: wall time depends on the machine's load. CPU time is one core's work.
    System.out.printf(
        "W1 2-view augmentation of 256 28x28 images: wall median %.2f ms (min %.2f), "
            + "thread CPU median %.2f ms%n",
        ns[ns.length / 2] / 1e6, ns[0] / 1e6, cpu[cpu.length / 2] / 1e6);
  }
}
