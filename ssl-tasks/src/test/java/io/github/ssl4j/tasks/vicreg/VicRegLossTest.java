package io.github.ssl4j.tasks.vicreg;

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
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class VicRegLossTest {

  /** Naive VICReg, view 1 in rows 0..N-1 and view 2 in rows N..2N-1, as the authors' code computes it. */
  static double reference(double[][] x, double wInv, double wVar, double wCov) {
    int n = x.length / 2;
    int d = x[0].length;
    double invariance = 0;
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < d; k++) {
        invariance += (x[i][k] - x[n + i][k]) * (x[i][k] - x[n + i][k]);
      }
    }
    invariance /= n * d;
    double variance = 0;
    double covariance = 0;
    for (double[][] v : new double[][][] {LossChecks.rows(x, 0, n), LossChecks.rows(x, n, 2 * n)}) {
      double[] mean = LossChecks.means(v);
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          double cov = 0;
          for (double[] row : v) {
            cov += (row[i] - mean[i]) * (row[j] - mean[j]);
          }
          cov /= n - 1;
          if (i == j) {
            variance += Math.max(0, 1 - Math.sqrt(cov + 1e-4)) / d / 2;
          } else {
            covariance += cov * cov / d;
          }
        }
      }
    }
    return wInv * invariance + wVar * variance + wCov * covariance;
  }

  private static final double[][] WEIGHTS = {{25, 25, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {3, 7, 0.5}};

  @Test
  void matchesNaiveReferenceOverShapesAndWeights() {
    for (int n : new int[] {2, 3, 8, 17}) {
      for (int d : new int[] {1, 4, 16}) {
        for (double scale : new double[] {0.3, 2}) { // hinge active on all / on few dimensions
          double[][] x = uniform(2 * n, d, 19L * n + d);
          for (double[] row : x) {
            for (int k = 0; k < d; k++) {
              row[k] *= scale * (1 + k % 3);
            }
          }
          for (double[] w : WEIGHTS) {
            assertEquals(reference(x, w[0], w[1], w[2]), loss(VicRegLoss.withWeights(w[0], w[1], w[2]), x), 1e-9,
                "N=" + n + " d=" + d + " scale=" + scale + " weights=" + java.util.Arrays.toString(w));
          }
        }
      }
    }
  }

  @Test
  void varianceTermIsZeroWhenEveryStandardDeviationIsAtLeastOne() {
    double[][] x = uniform(20, 6, 4);
    for (double[] row : x) {
      for (int k = 0; k < 6; k++) {
        row[k] *= 4; // uniform on [-4, 4): standard deviation about 2.3
      }
    }
    assertEquals(0.0, loss(VicRegLoss.withWeights(0, 1, 0), x), 0.0);
    // one dimension squeezed below 1: the hinge is on for it alone, in both views
    for (double[] row : x) {
      row[2] *= 0.1;
    }
    double expected = reference(x, 0, 1, 0);
    assertTrue(expected > 0.01, "" + expected);
    assertEquals(expected, loss(VicRegLoss.withWeights(0, 1, 0), x), 1e-12);
  }

  @Test
  void identicalViewsCostNoInvarianceAndCollapseCostsTheVarianceHinge() {
    double[][] x = uniform(12, 5, 9);
    for (int i = 0; i < 6; i++) {
      x[6 + i] = x[i].clone();
    }
    assertEquals(0.0, loss(VicRegLoss.withWeights(1, 0, 0), x), 0.0);
    double[][] collapsed = new double[12][5];
    for (double[] row : collapsed) {
      java.util.Arrays.fill(row, -0.7);
    }
    double chance = VicRegTask.vicreg().chanceLoss(6).getAsDouble();
    assertEquals(25 * (1 - 0.01), chance, 1e-12);
    assertEquals(chance, loss(VicRegLoss.withDefaults(), collapsed), 1e-12);
  }

  @Test
  void gradientCheck() {
    for (double[] w : new double[][] {{25, 25, 1}, {3, 7, 0.5}}) {
      ComputationGraph graph = LossChecks.tinyGraph(VicRegLoss.withWeights(w[0], w[1], w[2]), 3, 4);
      LossChecks.checkGraph(graph, uniform(10, 3, 7), x -> reference(x, w[0], w[1], w[2]));
    }
  }

  @Test
  void rejectsBadWeights() {
    for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertTrue(assertThrows(IllegalArgumentException.class, () -> VicRegLoss.withWeights(25, bad, 1))
          .getMessage().contains("variance weight must be finite and >= 0"));
    }
    VicRegLoss defaults = VicRegLoss.withDefaults();
    assertEquals(25, defaults.invarianceWeight());
    assertEquals(25, defaults.varianceWeight());
    assertEquals(1, defaults.covarianceWeight());
  }

  @Test
  void survivesJsonRoundTrip() {
    ComputationGraph graph = LossChecks.tinyGraph(VicRegLoss.withWeights(2, 3, 4), 3, 4);
    ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson());
    assertEquals(graph.getConfiguration(), restored);
    LossLayer layer = (LossLayer) ((LayerVertex) restored.getVertices().get(LossChecks.LOSS)).getLayerConf().getLayer();
    assertEquals(VicRegLoss.withWeights(2, 3, 4), layer.getLossFn());
    ComputationGraph copy = new ComputationGraph(restored);
    copy.init(graph.params().dup(), false);
    MultiDataSet batch = new MultiDataSet(Nd4j.createFromArray(uniform(6, 3, 2)), labels(3));
    assertEquals(graph.score(batch), copy.score(batch), 1e-15);
  }
}
