package io.github.ssl4j.core.eval;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Small generated data sets for the eval tests. */
final class TestData {
  private TestData() {}

  /** Gaussian data, labels uniform in [0, numClasses). */
  static LabelledData random(int n, int d, int numClasses, long seed, DataType type) {
    Random rng = new Random(seed);
    double[][] x = new double[n][d];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = rng.nextGaussian();
      }
      labels[i] = rng.nextInt(numClasses);
    }
    return new LabelledData(Nd4j.create(x).castTo(type), labels, numClasses);
  }

  /**
   * Clusters around well-separated centres: class c has centre {@code scale * e_c} (one-hot
   * direction c), plus Gaussian noise of the given sigma. Requires d >= numClasses.
   */
  static LabelledData clusters(int n, int d, int numClasses, double scale, double sigma,
      long seed) {
    Random rng = new Random(seed);
    double[][] x = new double[n][d];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = i % numClasses;
      labels[i] = c;
      for (int j = 0; j < d; j++) {
        x[i][j] = sigma * rng.nextGaussian() + (j == c ? scale : 0.0);
      }
    }
    return new LabelledData(Nd4j.create(x).castTo(DataType.FLOAT), labels, numClasses);
  }
}
