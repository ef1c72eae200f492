package io.github.ssl4j.tasks.byol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.tasks.testing.LossChecks;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class ByolLossTest {

  /** 2 - 2 cos per row, mean over rows, straight from the definition. */
  private static double reference(double[][] p, double[][] z) {
    double total = 0;
    for (int i = 0; i < p.length; i++) {
      double pp = 0;
      double zz = 0;
      double pz = 0;
      for (int k = 0; k < p[i].length; k++) {
        pp += p[i][k] * p[i][k];
        zz += z[i][k] * z[i][k];
        pz += p[i][k] * z[i][k];
      }
      total += 2 - 2 * pz / (Math.sqrt(pp + ByolLoss.NORM_EPSILON) * Math.sqrt(zz + ByolLoss.NORM_EPSILON));
    }
    return total / p.length;
  }

  @Test
  void matchesNaiveReferenceOverShapesAndScales() {
    for (int rows : new int[] {1, 2, 5, 17}) {
      for (int d : new int[] {1, 3, 64}) {
        for (double scale : new double[] {1e-3, 1, 1e3}) {
          double[][] p = LossChecks.uniform(rows, d, scale, 31L * rows + d);
          double[][] z = LossChecks.uniform(rows, d, 1 / scale, 7L * rows + d);
          assertEquals(reference(p, z), LossChecks.mean(new ByolLoss(), p, z), 1e-9,
              "rows=" + rows + " d=" + d + " scale=" + scale);
        }
      }
    }
  }

  @Test
  void closedFormCases() {
    double[][] z = LossChecks.uniform(4, 5, 1, 3);
    double[][] scaled = new double[4][5];
    double[][] opposite = new double[4][5];
    for (int i = 0; i < 4; i++) {
      for (int k = 0; k < 5; k++) {
        scaled[i][k] = 3.5 * z[i][k];
        opposite[i][k] = -0.2 * z[i][k];
      }
    }
    assertEquals(0.0, LossChecks.mean(new ByolLoss(), scaled, z), 1e-12, "same direction");
    assertEquals(4.0, LossChecks.mean(new ByolLoss(), opposite, z), 1e-9, "opposite direction");
    assertEquals(2.0, LossChecks.mean(new ByolLoss(), new double[][] {{1, 0}, {0, 2}},
        new double[][] {{0, 3}, {-1, 0}}), 1e-12, "orthogonal");
  }

  @Test
  void maskedRowsCountZero() {
    double[][] p = LossChecks.uniform(3, 4, 1, 5);
    double[][] z = LossChecks.uniform(3, 4, 1, 6);
    INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {0}, {1}});
    double masked = new ByolLoss().computeScore(Nd4j.createFromArray(z), Nd4j.createFromArray(p),
        new ActivationIdentity(), mask, false);
    double expected = 3 * reference(p, z) - (reference(new double[][] {p[1]}, new double[][] {z[1]}));
    assertEquals(expected, masked, 1e-12);
  }

  @Test
  void gradientCheckAndGraphScoreIsTheMeanLoss() {
    for (int rows : new int[] {1, 4, 7}) {
      INDArray x = Nd4j.createFromArray(LossChecks.uniform(rows, 3, 1, rows));
      INDArray z = Nd4j.createFromArray(LossChecks.uniform(rows, 4, 1, rows + 100));
      assertTrue(LossChecks.gradientCheck(new ByolLoss(), x, z, 4), "rows=" + rows);
      ComputationGraph g = LossChecks.graph(new ByolLoss(), 3, 4);
      INDArray p = g.feedForward(x, false).get("head/dense");
      assertEquals(reference(p.toDoubleMatrix(), z.toDoubleMatrix()), g.score(new MultiDataSet(x, z)), 1e-12);
    }
  }

  @Test
  void survivesJsonRoundTripAndRejectsMismatchedTargets() {
    ComputationGraph g = LossChecks.graph(new ByolLoss(), 3, 4);
    String json = g.getConfiguration().toJson();
    assertEquals(json, ComputationGraphConfiguration.fromJson(json).toJson());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.score(new MultiDataSet(Nd4j.rand(DataType.DOUBLE, 2, 3), Nd4j.rand(DataType.DOUBLE, 2, 5))));
    assertTrue(e.getMessage().contains("same shape"), e.getMessage());
  }
}
