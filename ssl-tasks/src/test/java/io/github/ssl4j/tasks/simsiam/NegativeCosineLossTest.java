package io.github.ssl4j.tasks.simsiam;

import static io.github.ssl4j.tasks.twoview.LossChecks.labels;
import static io.github.ssl4j.tasks.twoview.LossChecks.loss;
import static io.github.ssl4j.tasks.twoview.LossChecks.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.tasks.twoview.LossChecks;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class NegativeCosineLossTest {

  /** Naive symmetric negative cosine: row r's prediction (left half) against row (r + N)'s target. */
  static double reference(double[][] x) {
    int rows = x.length;
    int n = rows / 2;
    int d = x[0].length / 2;
    double total = 0;
    for (int r = 0; r < rows; r++) {
      double[] p = x[r];
      double[] z = x[(r + n) % rows];
      double pp = 0;
      double zz = 0;
      double pz = 0;
      for (int k = 0; k < d; k++) {
        pp += p[k] * p[k];
        zz += z[d + k] * z[d + k];
        pz += p[k] * z[d + k];
      }
      total -= pz / (Math.sqrt(pp + NegativeCosineLoss.NORM_EPSILON) * Math.sqrt(zz + NegativeCosineLoss.NORM_EPSILON));
    }
    return total / rows;
  }

  @Test
  void matchesNaiveReferenceOverShapes() {
    for (int n : new int[] {2, 3, 8, 17}) {
      for (int d : new int[] {1, 3, 32}) {
        double[][] x = uniform(2 * n, 2 * d, 13L * n + d);
        assertEquals(reference(x), loss(new NegativeCosineLoss(), x), 1e-9, "N=" + n + " d=" + d);
      }
    }
  }

  @Test
  void identicalPredictionsAndTargetsGiveMinusOneOppositeOnesPlusOne() {
    int n = 5;
    int d = 4;
    double[][] x = uniform(2 * n, 2 * d, 3);
    double[][] opposite = new double[2 * n][2 * d];
    for (int r = 0; r < 2 * n; r++) {
      int other = (r + n) % (2 * n);
      double scale = 0.5 + r; // cosine ignores the length
      for (int k = 0; k < d; k++) {
        x[r][k] = scale * x[other][d + k];
        opposite[r][k] = x[r][k];
        opposite[other][d + k] = -x[other][d + k];
      }
    }
    // exactly -1 and +1 but for the 1e-12 added to the squared norms (norms here are above 0.1)
    assertEquals(-1.0, loss(new NegativeCosineLoss(), x), 1e-10);
    assertEquals(1.0, loss(new NegativeCosineLoss(), opposite), 1e-10);
    // orthogonal predictions and targets: 0
    double[][] orthogonal = {{1, 0, 0, 1}, {0, 1, 1, 0}, {1, 0, 0, 1}, {0, 1, 1, 0}};
    assertEquals(0.0, loss(new NegativeCosineLoss(), orthogonal), 1e-15);
  }

  @Test
  void symmetricInTheTwoViews() {
    int n = 4;
    double[][] x = uniform(2 * n, 6, 5);
    double[][] swapped = new double[2 * n][];
    for (int i = 0; i < n; i++) {
      swapped[i] = x[i + n];
      swapped[i + n] = x[i];
    }
    assertEquals(loss(new NegativeCosineLoss(), x), loss(new NegativeCosineLoss(), swapped), 1e-14);
  }

  @Test
  void gradientCheckOfBothHalves() {
    // a dense layer feeds predictions and targets, so both halves' gradients reach its parameters
    ComputationGraph graph = LossChecks.tinyGraph(new NegativeCosineLoss(), 3, 4);
    LossChecks.checkGraph(graph, uniform(6, 3, 7), NegativeCosineLossTest::reference);
  }

  @Test
  void rejectsMalformedBatches() {
    NegativeCosineLoss loss = new NegativeCosineLoss();
    ActivationIdentity id = new ActivationIdentity();
    INDArray oddWidth = Nd4j.createFromArray(uniform(4, 3, 1));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> loss.computeScore(labels(2), oddWidth, id, null, true)).getMessage().contains("odd width"));
    INDArray oddRows = Nd4j.createFromArray(uniform(5, 4, 1));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> loss.computeScore(labels(2), oddRows, id, null, true)).getMessage().contains("got 5 rows"));
    INDArray x = Nd4j.createFromArray(uniform(4, 4, 1));
    INDArray shuffled = Nd4j.createFromArray(new double[][] {{0}, {1}, {1}, {0}});
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> loss.computeGradient(shuffled, x, id, null)).getMessage().contains("rows 0 and 2 carry image ids 0.0 and 1.0"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> loss.computeScore(labels(2), x, id, Nd4j.ones(4, 1), true)).getMessage().contains("takes no mask"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> loss.computeScore(null, x, id, null, true)).getMessage().contains("needs labels"));
  }

  @Test
  void survivesJsonRoundTrip() {
    ComputationGraph graph = LossChecks.tinyGraph(new NegativeCosineLoss(), 3, 4);
    String json = graph.getConfiguration().toJson();
    ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(json);
    assertEquals(graph.getConfiguration(), restored);
    ComputationGraph copy = new ComputationGraph(restored);
    copy.init(graph.params().dup(), false);
    MultiDataSet batch = new MultiDataSet(Nd4j.createFromArray(uniform(4, 3, 2)), labels(2));
    assertEquals(graph.score(batch), copy.score(batch), 1e-15);
  }
}
