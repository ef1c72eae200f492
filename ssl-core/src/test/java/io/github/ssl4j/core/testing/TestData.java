package io.github.ssl4j.core.testing;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generated data and tiny models shared by tests. Everything is a pure function of its arguments
 * (seeded), never of a global random state.
 */
public final class TestData {
  private TestData() {}

  /** The generator tests pass to {@code PretextTask.prepare}: a {@link SplittableRandom}. */
  public static RandomGenerator rng(long seed) {
    return new SplittableRandom(seed);
  }

  /**
   * Independent standard normal values from {@code java.util.Random(seed)}, row by row.
   *
   * @return shape [n, d], DOUBLE
   */
  public static INDArray gaussian(int n, int d, long seed) {
    java.util.Random r = new java.util.Random(seed);
    double[] v = new double[n * d];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return Nd4j.create(v, new long[] {n, d}, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
  }

  /**
   * Gaussian blobs: {@code clusters} centres drawn uniformly in [-1, 1]^d, each example a centre
   * (chosen round-robin) plus N(0, 0.1^2) noise.
   *
   * @return shape [n, d], FLOAT
   */
  public static INDArray blobs(int n, int d, int clusters, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] centres = new double[clusters][d];
    for (double[] c : centres) {
      for (int j = 0; j < d; j++) {
        c[j] = 2 * r.nextDouble() - 1;
      }
    }
    double[] out = new double[n * d];
    for (int i = 0; i < n; i++) {
      double[] c = centres[i % clusters];
      for (int j = 0; j < d; j++) {
        out[i * d + j] = c[j] + 0.1 * r.nextGaussian();
      }
    }
    return Nd4j.create(out, new long[] {n, d}, 'c').castTo(DataType.FLOAT);
  }

  /** Blobs with 3 clusters: shape [n, d], FLOAT. */
  public static INDArray blobs(int n, int d, long seed) {
    return blobs(n, d, 3, seed);
  }

  /**
   * Random images with values uniform in [0, 1].
   *
   * @return shape [n, channels, height, width] (NCHW), FLOAT
   */
  public static INDArray images(int n, int channels, int height, int width, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] out = new double[n * channels * height * width];
    for (int i = 0; i < out.length; i++) {
      out[i] = r.nextDouble();
    }
    return Nd4j.create(out, new long[] {n, channels, height, width}, 'c').castTo(DataType.FLOAT);
  }

  /** A one-layer tanh MLP encoder d -> width (dropout-free, gradient-checkable). */
  public static TinyMlpEncoder tinyMlp(int inputSize, int width) {
    return TinyMlpEncoder.of(inputSize, width);
  }

  /** A one-layer 3x3 tanh convolutional encoder on [channels, height, width] images. */
  public static TinyConvEncoder tinyConv(int height, int width, int channels, int filters) {
    return new TinyConvEncoder(height, width, channels, filters);
  }
}
