package io.github.ssl4j.tasks.nextframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class FrameMetricsTest {

  /** frames[f][i][j] = ((i*a + j*b + f*c) mod m) / (m - 1), as in the reference script below. */
  private static INDArray frames(int n, int h, int w, int a, int b, int c, int m) {
    double[] v = new double[n * h * w];
    for (int f = 0; f < n; f++) {
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          v[(f * h + i) * w + j] = ((i * a + j * b + f * c) % m) / (double) (m - 1);
        }
      }
    }
    return Nd4j.create(v, new long[] {n, 1, h, w}, DataType.DOUBLE);
  }

  /**
   * Expected values from an independent NumPy implementation (2-D 11x11 Gaussian window,
   * np.pad(mode='symmetric'), border of 5 cropped), run 2026-11-28 with the Debian python3-numpy:
   * the same definition as scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
   * use_sample_covariance=False, data_range=1).
   */
  @Test
  void ssimAndMseMatchAnIndependentReference() {
    INDArray x = frames(2, 16, 16, 7, 3, 5, 11);
    INDArray y = frames(2, 16, 16, 5, 11, 3, 13);
    assertEquals(-0.04797927260577507, FrameMetrics.ssim(x, y), 1e-12);
    INDArray z = Transforms.min(Transforms.max(x.mul(0.8).add(0.1), 0.0), 1.0);
    assertEquals(0.9757256919665218, FrameMetrics.ssim(x, z), 1e-12);
    assertEquals(49.960138888888885, FrameMetrics.mseSumPerFrame(x, y), 1e-9);
  }

  @Test
  void identicalFramesScoreOneAndZeroAndTheMetricsAreSymmetric() {
    INDArray x = frames(3, 20, 24, 3, 7, 2, 9);
    INDArray y = frames(3, 20, 24, 4, 1, 5, 7);
    assertEquals(1.0, FrameMetrics.ssim(x, x), 1e-12);
    assertEquals(0.0, FrameMetrics.mseSumPerFrame(x, x), 0.0);
    assertEquals(FrameMetrics.ssim(x, y), FrameMetrics.ssim(y, x), 1e-12);
    assertEquals(FrameMetrics.mseSumPerFrame(x, y), FrameMetrics.mseSumPerFrame(y, x), 1e-12);
    assertTrue(FrameMetrics.ssim(x, y) < 0.9);
  }

  @Test
  void mseIsTheSumOverPixelsAveragedOverFrames() {
    INDArray zero = Nd4j.zeros(DataType.FLOAT, 4, 1, 64, 64);
    INDArray half = zero.add(0.5);
    assertEquals(64 * 64 * 0.25, FrameMetrics.mseSumPerFrame(zero, half), 1e-9);
    // views and rank-3 frames are read in logical order
    INDArray seq = Nd4j.rand(DataType.FLOAT, 2, 5, 1, 16, 16);
    INDArray a = seq.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(3));
    INDArray target = seq.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(1));
    INDArray d = a.sub(target);
    assertEquals(d.mul(d).sumNumber().doubleValue() / 2, FrameMetrics.mseSumPerFrame(a, target), 1e-4);
    assertEquals(FrameMetrics.mseSumPerFrame(a, target),
        FrameMetrics.mseSumPerFrame(a.reshape(2, 16, 16), target.reshape(2, 16, 16)), 1e-9);
  }

  @Test
  void reflectPaddingRepeatsTheEdge() {
    assertEquals(0, FrameMetrics.reflect(-1, 5));
    assertEquals(1, FrameMetrics.reflect(-2, 5));
    assertEquals(4, FrameMetrics.reflect(5, 5));
    assertEquals(3, FrameMetrics.reflect(6, 5));
  }

  @Test
  void mismatchedOrTinyFramesAreRejected() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> FrameMetrics.mseSumPerFrame(Nd4j.zeros(2, 1, 8, 8), Nd4j.zeros(2, 1, 8, 9)));
    assertTrue(e.getMessage().contains("[2, 1, 8, 9]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FrameMetrics.ssim(Nd4j.zeros(1, 1, 8, 8), Nd4j.zeros(1, 1, 8, 8)));
    assertThrows(IllegalArgumentException.class, () -> FrameMetrics.ssim(Nd4j.zeros(2, 5, 3, 16, 16), Nd4j.zeros(2, 5, 3, 16, 16)));
  }
}
