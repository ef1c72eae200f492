package io.github.ssl4j.tasks.nextframe;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Quality of predicted frames, as the video-prediction literature reports it.
 *
 * <ul>
 *   <li>{@link #mseSumPerFrame}: squared error summed over the pixels of a frame, averaged over
 *       frames (Moving MNIST convention; for 64x64 frames in [0, 1] at most 4096);
 *   <li>{@link #ssim}: structural similarity (Wang et al. 2004) with an 11x11 Gaussian window, σ =
 *       1.5, K1 = 0.01, K2 = 0.03, data range 1, population (co)variances, symmetric ("reflect")
 *       padding and the 5-pixel border cropped before averaging — what scikit-image's {@code
 *       structural_similarity(..., gaussian_weights=True, sigma=1.5,
 *       use_sample_covariance=False, data_range=1)} computes — averaged over frames and channels.
 * </ul>
 *
 * <p>Frames are {@code [n, channels, height, width]} (or {@code [n, height, width]}) with values
 * in [0, 1]; both arguments must have the same shape. Always report them next to the
 * copy-the-last-frame baseline (predict frame t+1 = frame t).
 */
public final class FrameMetrics {
  /** Gaussian σ of the SSIM window. */
  public static final double SSIM_SIGMA = 1.5;
  /** Half-width of the SSIM window (11x11): scikit-image's truncation at 3.5 σ. */
  public static final int SSIM_RADIUS = 5;
  private static final double C1 = 0.01 * 0.01;
  private static final double C2 = 0.03 * 0.03;
  private static final double[] KERNEL = gaussianKernel();

  private FrameMetrics() {}

  /** Sum over pixels (and channels) of the squared error, averaged over the n frames. */
  public static double mseSumPerFrame(INDArray predicted, INDArray target) {
    Objects.requireNonNull(predicted, "predicted");
    Objects.requireNonNull(target, "target");
    int[] shape = check(predicted, target);
    double[] pc = contiguous(predicted);
    double[] tc = contiguous(target);
    double sum = 0;
    for (int i = 0; i < pc.length; i++) {
      double d = pc[i] - tc[i];
      sum += d * d;
    }
    return sum / shape[0];
  }

  /** Mean SSIM over frames and channels (see the class description). */
  public static double ssim(INDArray predicted, INDArray target) {
    Objects.requireNonNull(predicted, "predicted");
    Objects.requireNonNull(target, "target");
    int[] s = check(predicted, target);
    int n = s[0];
    int c = s[1];
    int h = s[2];
    int w = s[3];
    if (h <= 2 * SSIM_RADIUS || w <= 2 * SSIM_RADIUS) {
      throw new IllegalArgumentException("SSIM needs frames larger than " + (2 * SSIM_RADIUS + 1) + "x"
          + (2 * SSIM_RADIUS + 1) + " (the window), got " + h + "x" + w);
    }
    double[] p = contiguous(predicted);
    double[] t = contiguous(target);
    int plane = h * w;
    double total = 0;
    double[] x = new double[plane];
    double[] y = new double[plane];
    double[] xx = new double[plane];
    double[] yy = new double[plane];
    double[] xy = new double[plane];
    for (int f = 0; f < n * c; f++) {
      for (int i = 0; i < plane; i++) {
        double a = p[f * plane + i];
        double b = t[f * plane + i];
        x[i] = a;
        y[i] = b;
        xx[i] = a * a;
        yy[i] = b * b;
        xy[i] = a * b;
      }
      double[] mx = blur(x, h, w);
      double[] my = blur(y, h, w);
      double[] mxx = blur(xx, h, w);
      double[] myy = blur(yy, h, w);
      double[] mxy = blur(xy, h, w);
      double sum = 0;
      for (int r = SSIM_RADIUS; r < h - SSIM_RADIUS; r++) {
        for (int col = SSIM_RADIUS; col < w - SSIM_RADIUS; col++) {
          int i = r * w + col;
          double vx = mxx[i] - mx[i] * mx[i];
          double vy = myy[i] - my[i] * my[i];
          double cov = mxy[i] - mx[i] * my[i];
          sum += (2 * mx[i] * my[i] + C1) * (2 * cov + C2)
              / ((mx[i] * mx[i] + my[i] * my[i] + C1) * (vx + vy + C2));
        }
      }
      total += sum / ((double) (h - 2 * SSIM_RADIUS) * (w - 2 * SSIM_RADIUS));
    }
    return total / (n * c);
  }

  /** Separable Gaussian filter with symmetric ("reflect", edge sample repeated) padding. */
  private static double[] blur(double[] img, int h, int w) {
    double[] tmp = new double[h * w];
    double[] out = new double[h * w];
    for (int r = 0; r < h; r++) {
      for (int col = 0; col < w; col++) {
        double s = 0;
        for (int k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
          s += KERNEL[k + SSIM_RADIUS] * img[r * w + reflect(col + k, w)];
        }
        tmp[r * w + col] = s;
      }
    }
    for (int r = 0; r < h; r++) {
      for (int col = 0; col < w; col++) {
        double s = 0;
        for (int k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
          s += KERNEL[k + SSIM_RADIUS] * tmp[reflect(r + k, h) * w + col];
        }
        out[r * w + col] = s;
      }
    }
    return out;
  }

  /** scipy's "reflect": d c b a | a b c d | d c b a. */
  static int reflect(int i, int n) {
    while (i < 0 || i >= n) {
      i = i < 0 ? -i - 1 : 2 * n - i - 1;
    }
    return i;
  }

  private static double[] gaussianKernel() {
    double[] k = new double[2 * SSIM_RADIUS + 1];
    double sum = 0;
    for (int i = -SSIM_RADIUS; i <= SSIM_RADIUS; i++) {
      k[i + SSIM_RADIUS] = Math.exp(-0.5 * i * i / (SSIM_SIGMA * SSIM_SIGMA));
      sum += k[i + SSIM_RADIUS];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  /** The array's values in logical C order (data() of a view or an 'f' array is not). */
  private static double[] contiguous(INDArray a) {
    return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }

  /** @return {n, channels, height, width} */
  private static int[] check(INDArray predicted, INDArray target) {
    if (!Arrays.equals(predicted.shape(), target.shape())) {
      throw new IllegalArgumentException("predicted and target frames must have the same shape, got "
          + Arrays.toString(predicted.shape()) + " and " + Arrays.toString(target.shape()));
    }
    long[] s = predicted.shape();
    if (s.length == 3) {
      return new int[] {(int) s[0], 1, (int) s[1], (int) s[2]};
    }
    if (s.length == 4) {
      return new int[] {(int) s[0], (int) s[1], (int) s[2], (int) s[3]};
    }
    throw new IllegalArgumentException("frames must be [n, channels, height, width] or [n, height,"
        + " width], got " + Arrays.toString(s) + "; for sequences [n, time, c, h, w] select one time"
        + " step, e.g. seq.get(all(), point(t))");
  }
}
