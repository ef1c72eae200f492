package io.github.ssl4j.tasks.barlowtwins;

import static io.github.ssl4j.tasks.twoview.LossChecks.labels;
import static io.github.ssl4j.tasks.twoview.LossChecks.loss;
import static io.github.ssl4j.tasks.twoview.LossChecks.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.tasks.twoview.LossChecks;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class BarlowTwinsLossTest {

  /** One view normalised per dimension along the batch, biased variance + 1e-5, in plain loops. */
  private static double[][] normalise(double[][] v) {
    int n = v.length;
    int d = v[0].length;
    double[][] out = new double[n][d];
    for (int k = 0; k < d; k++) {
      double mean = 0;
      for (double[] row : v) {
        mean += row[k] / n;
      }
      double var = 0;
      for (double[] row : v) {
        var += (row[k] - mean) * (row[k] - mean) / n;
      }
      double std = Math.sqrt(var + BarlowTwinsLoss.BATCH_NORM_EPSILON);
      for (int i = 0; i < n; i++) {
        out[i][k] = (v[i][k] - mean) / std;
      }
    }
    return out;
  }

  /** Naive Barlow Twins loss, view 1 in rows 0..N-1 and view 2 in rows N..2N-1. */
  static double reference(double[][] x, double lambda) {
    int n = x.length / 2;
    int d = x[0].length;
    double[][] a = normalise(LossChecks.rows(x, 0, n));
    double[][] b = normalise(LossChecks.rows(x, n, 2 * n));
    double loss = 0;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double c = 0;
        for (int m = 0; m < n; m++) {
          c += a[m][i] * b[m][j];
        }
        c /= n;
        loss += i == j ? (1 - c) * (1 - c) : lambda * c * c;
      }
    }
    return loss;
  }

  @Test
  void matchesNaiveReferenceOverShapesAndLambdas() {
    for (int n : new int[] {2, 3, 8, 17}) {
      for (int d : new int[] {1, 4, 16}) {
        double[][] x = uniform(2 * n, d, 17L * n + d);
        for (double lambda : new double[] {0, 5e-3, 0.1, 1}) {
          assertEquals(reference(x, lambda), loss(BarlowTwinsLoss.withLambda(lambda), x), 1e-9,
              "N=" + n + " d=" + d + " lambda=" + lambda);
        }
      }
    }
  }

  @Test
  void perfectlyCorrelatedDecorrelatedFeaturesGiveZero() {
    // columns 2..4 of the 8x8 Sylvester-Hadamard matrix: mean 0, biased variance 1, orthogonal
    int[][] h = new int[8][8];
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 8; j++) {
        h[i][j] = Integer.bitCount(i & j) % 2 == 0 ? 1 : -1;
      }
    }
    int n = 8;
    int d = 3;
    double[][] x = new double[2 * n][d];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < d; k++) {
        x[i][k] = h[i][k + 1];
        x[n + i][k] = 3 * h[i][k + 1] + 2; // the other view: the same features, scaled and shifted
      }
    }
    double eps = BarlowTwinsLoss.BATCH_NORM_EPSILON;
    // C = diag(1 / sqrt((1 + eps)(1 + eps / 9))): only the normalisation's epsilon keeps it from 0
    double c = 1 / Math.sqrt((1 + eps) * (1 + eps / 9));
    assertEquals(d * (1 - c) * (1 - c), loss(BarlowTwinsLoss.withLambda(0.1), x), 1e-15);
    assertTrue(loss(BarlowTwinsLoss.withLambda(0.1), x) < 1e-9);
  }

  @Test
  void collapsedEmbeddingScoresTheWidth() {
    double[][] x = new double[10][7];
    for (double[] row : x) {
      java.util.Arrays.fill(row, 0.3);
    }
    assertEquals(7.0, loss(BarlowTwinsLoss.withDefaults(), x), 1e-12);
    assertEquals(7.0, BarlowTwinsTask.builder().projector(
        io.github.ssl4j.tasks.contrastive.ProjectionHead.builder(5, 7).build()).build().chanceLoss(5).getAsDouble());
  }

  @Test
  void gradientCheck() {
    for (double lambda : new double[] {5e-3, 0.5}) {
      ComputationGraph graph = LossChecks.tinyGraph(BarlowTwinsLoss.withLambda(lambda), 3, 4);
      LossChecks.checkGraph(graph, uniform(10, 3, 7), x -> reference(x, lambda));
    }
  }

  @Test
  void rejectsBadLambdaAndTooSmallBatches() {
    for (double bad : new double[] {-1e-3, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertTrue(assertThrows(IllegalArgumentException.class, () -> BarlowTwinsLoss.withLambda(bad))
          .getMessage().contains("lambda must be finite and >= 0"));
    }
    assertEquals(5e-3, BarlowTwinsLoss.withDefaults().lambda());
    // one image: no batch statistics
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> BarlowTwinsLoss.withDefaults().computeScore(Nd4j.createFromArray(new double[][] {{0}, {0}}),
            Nd4j.createFromArray(uniform(2, 3, 1)), new ActivationIdentity(), null, true))
        .getMessage().contains("N >= 2"));
  }

  @Test
  void survivesJsonRoundTrip() {
    ComputationGraph graph = LossChecks.tinyGraph(BarlowTwinsLoss.withLambda(0.02), 3, 4);
    ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson());
    assertEquals(graph.getConfiguration(), restored);
    LossLayer layer = (LossLayer) ((LayerVertex) restored.getVertices().get(LossChecks.LOSS)).getLayerConf().getLayer();
    assertEquals(0.02, ((BarlowTwinsLoss) layer.getLossFn()).lambda());
    ComputationGraph copy = new ComputationGraph(restored);
    copy.init(graph.params().dup(), false);
    MultiDataSet batch = new MultiDataSet(Nd4j.createFromArray(uniform(6, 3, 2)), labels(3));
    assertEquals(graph.score(batch), copy.score(batch), 1e-15);
  }
}
