package io.github.ssl4j.tasks.dino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.tasks.testing.LossChecks;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class DinoLossTest {

  /** Mean cross-entropy of teacher probabilities and the student's softmax at ts, from the definition. */
  private static double reference(double[][] s, double[][] t, double ts) {
    double total = 0;
    for (int i = 0; i < s.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : s[i]) {
        max = Math.max(max, v / ts);
      }
      double sum = 0;
      for (double v : s[i]) {
        sum += Math.exp(v / ts - max);
      }
      double logZ = Math.log(sum) + max;
      for (int k = 0; k < s[i].length; k++) {
        total -= t[i][k] * (s[i][k] / ts - logZ);
      }
    }
    return total / s.length;
  }

  /** Rows of positive values normalised to sum 1, sharpened by {@code power}. */
  static double[][] distributions(int rows, int k, double power, long seed) {
    double[][] u = LossChecks.uniform(rows, k, 1, seed);
    double[][] p = new double[rows][k];
    for (int i = 0; i < rows; i++) {
      double sum = 0;
      for (int j = 0; j < k; j++) {
        p[i][j] = Math.pow(Math.abs(u[i][j]) + 1e-3, power);
        sum += p[i][j];
      }
      for (int j = 0; j < k; j++) {
        p[i][j] /= sum;
      }
    }
    return p;
  }

  @Test
  void matchesNaiveReferenceOverShapesAndTemperatures() {
    for (int rows : new int[] {1, 3, 8}) {
      for (int k : new int[] {2, 7, 130}) {
        double[][] s = LossChecks.uniform(rows, k, 2, 31L * rows + k);
        for (double power : new double[] {1, 8}) {
          double[][] t = distributions(rows, k, power, 7L * rows + k);
          for (double ts : new double[] {0.05, 0.1, 1.0}) {
            double expected = reference(s, t, ts);
            double actual = LossChecks.mean(new DinoLoss(ts), s, t);
            assertEquals(expected, actual, 1e-9 * Math.max(1, Math.abs(expected)),
                "rows=" + rows + " K=" + k + " power=" + power + " ts=" + ts);
          }
        }
      }
    }
  }

  @Test
  void closedFormCases() {
    // uniform student against any distribution: ln K
    double[][] t = distributions(2, 5, 3, 1);
    assertEquals(Math.log(5), LossChecks.mean(new DinoLoss(0.1), new double[2][5], t), 1e-12);
    // one-hot teacher on the student's clear maximum: -log softmax = log(1 + 4 exp(-10 / ts))
    double[][] s = {{10, 0, 0, 0, 0}};
    double[][] oneHot = {{1, 0, 0, 0, 0}};
    assertEquals(Math.log1p(4 * Math.exp(-10 / 0.5)), LossChecks.mean(new DinoLoss(0.5), s, oneHot), 1e-12);
  }

  @Test
  void gradientCheckAndGraphScoreIsTheMeanLoss() {
    for (int rows : new int[] {1, 5}) {
      INDArray x = Nd4j.createFromArray(LossChecks.uniform(rows, 3, 1, rows));
      INDArray t = Nd4j.createFromArray(distributions(rows, 6, 4, rows + 1));
      assertTrue(LossChecks.gradientCheck(new DinoLoss(0.1), x, t, 6), "rows=" + rows);
      ComputationGraph g = LossChecks.graph(new DinoLoss(0.1), 3, 6);
      INDArray s = g.feedForward(x, false).get("head/dense");
      assertEquals(reference(s.toDoubleMatrix(), t.toDoubleMatrix(), 0.1), g.score(new MultiDataSet(x, t)), 1e-12);
    }
  }

  @Test
  void survivesJsonRoundTripAndRejectsBadInput() {
    String json = LossChecks.graph(new DinoLoss(0.3), 3, 4).getConfiguration().toJson();
    assertEquals(json, ComputationGraphConfiguration.fromJson(json).toJson());
    assertTrue(json.contains("0.3"), json);
    assertThrows(IllegalArgumentException.class, () -> new DinoLoss(0));
    assertThrows(IllegalArgumentException.class, () -> LossChecks.mean(new DinoLoss(0.1),
        new double[2][3], new double[2][4]));
  }
}
