package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;

/**
 * Blurs each image with probability {@code p} by a Gaussian kernel of random width, as
 * torchvision's {@code RandomApply([GaussianBlur(kernelSize, (sigmaMin, sigmaMax))], p)} on a
 * tensor.
 *
 * <p>For a blurred image, sigma is drawn uniformly from [sigmaMin, sigmaMax] (one value for all its
 * channels). The kernel is torchvision's: {@code exp(-x^2 / (2 sigma^2))} at {@code x = -k/2 ..
 * k/2} (integer steps, k = kernelSize), normalised to sum 1; it is applied separably (rows, then
 * columns) with reflect padding of {@code kernelSize / 2} pixels (the edge pixel is not repeated,
 * as PyTorch's {@code "reflect"} mode), so every output is a weighted mean of input pixels and the
 * values stay in [0, 1]. The images must be larger than {@code kernelSize / 2} in both dimensions.
 *
 * <p>Draws per image: one for {@code p}, and one more (sigma) for a blurred image.
 *
 * @param kernelSize odd kernel size in pixels, &gt;= 1 (SimCLR: about 10 % of the image size)
 * @param sigmaMin smallest standard deviation in pixels, &gt; 0
 * @param sigmaMax largest standard deviation, &gt;= sigmaMin
 * @param p probability of blurring an image, in [0, 1]
 */
public record GaussianBlur(int kernelSize, double sigmaMin, double sigmaMax, double p)
    implements PixelAugmentation {

  /** Validates the parameters. */
  public GaussianBlur {
    if (kernelSize < 1 || kernelSize % 2 == 0) {
      throw new IllegalArgumentException(
          "GaussianBlur kernelSize must be odd and >= 1, got " + kernelSize
              + "; SimCLR uses about 10 % of the image size, e.g. 9 for 96 px");
    }
    if (!(sigmaMin > 0 && sigmaMin <= sigmaMax && Double.isFinite(sigmaMax))) {
      throw new IllegalArgumentException(
          "GaussianBlur sigma range must satisfy 0 < sigmaMin <= sigmaMax < infinity, got ["
              + sigmaMin + ", " + sigmaMax + "]; SimCLR uses [0.1, 2.0]");
    }
    Images.checkProbability("GaussianBlur p", p);
  }

  /**
   * SimCLR's blur for images of this size: kernel about 10 % of the smaller side (rounded to the
   * next odd size, at least 3), sigma in [0.1, 2.0], p = 0.5.
   *
   * @param size the smaller image side in pixels, &gt;= 4
   */
  public static GaussianBlur simclr(int size) {
    if (size < 4) {
      throw new IllegalArgumentException("GaussianBlur.simclr needs images of at least 4 px, got " + size);
    }
    int k = Math.max(3, (int) Math.round(0.1 * size));
    if (k % 2 == 0) {
      k++;
    }
    return new GaussianBlur(k, 0.1, 2.0, 0.5);
  }

  /**
   * The normalised 1-D kernel for this sigma (torchvision's {@code _get_gaussian_kernel1d}).
   *
   * @return {@code kernelSize} weights summing to 1, symmetric, largest in the middle
   */
  public static double[] kernel(int kernelSize, double sigma) {
    double[] k = new double[kernelSize];
    double half = (kernelSize - 1) * 0.5;
    double sum = 0;
    for (int i = 0; i < kernelSize; i++) {
      double x = (i - half) / sigma;
      k[i] = Math.exp(-0.5 * x * x);
      sum += k[i];
    }
    for (int i = 0; i < kernelSize; i++) {
      k[i] /= sum;
    }
    return k;
  }

  @Override
  public float[] apply(float[] src, int n, int c, int h, int w, RandomGenerator rng) {
    int pad = kernelSize / 2;
    if (pad >= h || pad >= w) {
      throw new IllegalArgumentException(
          "GaussianBlur kernelSize " + kernelSize + " needs images larger than " + pad
              + " px in both dimensions (reflect padding), got " + h + "x" + w
              + "; use a smaller kernel, e.g. GaussianBlur.simclr(" + Math.min(h, w) + ")");
    }
    float[] out = src.clone();
    int plane = h * w;
    int image = c * plane;
    float[] row = new float[w];
    float[] col = new float[h];
    for (int i = 0; i < n; i++) {
      if (!(rng.nextDouble() < p)) {
        continue;
      }
      double sigma = Images.uniform(rng, sigmaMin, sigmaMax);
      double[] k = kernel(kernelSize, sigma);
      for (int ch = 0; ch < c; ch++) {
        int base = i * image + ch * plane;
        for (int y = 0; y < h; y++) {
          int off = base + y * w;
          for (int x = 0; x < w; x++) {
            double s = 0;
            for (int t = 0; t < kernelSize; t++) {
              s += k[t] * out[off + reflect(x + t - pad, w)];
            }
            row[x] = (float) s;
          }
          System.arraycopy(row, 0, out, off, w);
        }
        for (int x = 0; x < w; x++) {
          for (int y = 0; y < h; y++) {
            double s = 0;
            for (int t = 0; t < kernelSize; t++) {
              s += k[t] * out[base + reflect(y + t - pad, h) * w + x];
            }
            col[y] = Images.clamp01((float) s);
          }
          for (int y = 0; y < h; y++) {
            out[base + y * w + x] = col[y];
          }
        }
      }
    }
    return out;
  }

  /** Reflect padding index (PyTorch "reflect": -1 maps to 1, n maps to n - 2); needs n &gt; pad. */
  static int reflect(int i, int n) {
    if (i < 0) {
      return -i;
    }
    if (i >= n) {
      return 2 * (n - 1) - i;
    }
    return i;
  }
}
