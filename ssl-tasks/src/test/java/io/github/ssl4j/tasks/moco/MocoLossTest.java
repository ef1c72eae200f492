package io.github.ssl4j.tasks.moco;

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

class MocoLossTest {

  private static double[] unit(double[] x) {
    double sq = 0;
    for (double v : x) {
      sq += v * v;
    }
    double n = Math.sqrt(sq + MocoLoss.NORM_EPSILON);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] / n;
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** Mean InfoNCE of queries against [positive key; queue], from the definition. */
  private static double reference(double[][] q, double[][] k, double[][] queue, double t) {
    double total = 0;
    for (int i = 0; i < q.length; i++) {
      double[] qh = unit(q[i]);
      double pos = dot(qh, unit(k[i])) / t;
      double sum = Math.exp(pos);
      for (double[] n : queue) {
        sum += Math.exp(dot(qh, n) / t);
      }
      total += Math.log(sum) - pos;
    }
    return total / q.length;
  }

  private static double[][] unitRows(double[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double sq = 0;
      for (double v : x[i]) {
        sq += v * v;
      }
      out[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = x[i][j] / Math.sqrt(sq);
      }
    }
    return out;
  }

  private static double loss(double[][] q, double[][] k, double[][] queue, double t) {
    MocoLoss loss = new MocoLoss(t);
    loss.negatives(Nd4j.createFromArray(queue));
    return LossChecks.mean(loss, q, k);
  }

  @Test
  void matchesNaiveReferenceOverShapesQueuesAndTemperatures() {
    for (int n : new int[] {1, 2, 5, 9}) {
      for (int d : new int[] {2, 3, 16}) {
        for (int size : new int[] {1, 4, 33}) {
          double[][] q = LossChecks.uniform(n, d, 3, 11L * n + d);
          double[][] k = LossChecks.uniform(n, d, 0.5, 13L * n + d);
          double[][] queue = unitRows(LossChecks.uniform(size, d, 1, 17L * size + d));
          for (double t : new double[] {0.07, 0.2, 1.0}) {
            assertEquals(reference(q, k, queue, t), loss(q, k, queue, t), 1e-9,
                "N=" + n + " d=" + d + " K=" + size + " t=" + t);
          }
        }
      }
    }
  }

  @Test
  void closedFormCases() {
    // every logit equal: ln(K + 1)
    double[][] same = {{0.3, -1.2, 2.0}, {0.3, -1.2, 2.0}};
    double[][] queue = unitRows(new double[][] {{0.3, -1.2, 2.0}, {0.3, -1.2, 2.0}, {0.3, -1.2, 2.0}});
    assertEquals(Math.log(4), loss(same, same, queue, 0.2), 1e-12);
    // key equals query, negatives orthogonal to it: ln(1 + K exp(-1/t))
    double[][] q = {{2, 0, 0}};
    double[][] orthogonal = {{0, 1, 0}, {0, 0, 1}, {0, -1, 0}};
    assertEquals(Math.log(1 + 3 * Math.exp(-1 / 0.2)), loss(q, q, orthogonal, 0.2), 1e-12);
  }

  @Test
  void gradientCheckAndGraphScoreIsTheMeanLoss() {
    for (int size : new int[] {1, 6}) {
      INDArray x = Nd4j.createFromArray(LossChecks.uniform(4, 3, 1, size));
      INDArray k = Nd4j.createFromArray(LossChecks.uniform(4, 5, 1, size + 1));
      INDArray queue = Nd4j.createFromArray(unitRows(LossChecks.uniform(size, 5, 1, size + 2)));
      MocoLoss loss = new MocoLoss(0.2);
      loss.negatives(queue);
      assertTrue(LossChecks.gradientCheck(loss, x, k, 5), "K=" + size);
      ComputationGraph g = LossChecks.graph(loss, 3, 5);
      INDArray q = g.feedForward(x, false).get("head/dense");
      assertEquals(reference(q.toDoubleMatrix(), k.toDoubleMatrix(), queue.toDoubleMatrix(), 0.2),
          g.score(new MultiDataSet(x, k)), 1e-12);
    }
  }

  @Test
  void rejectsMissingNegativesBadShapesAndTemperatures() {
    INDArray q = Nd4j.rand(DataType.DOUBLE, 2, 3);
    MocoLoss loss = new MocoLoss(0.2);
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> loss.computeScore(q, q, new ActivationIdentity(), null, true));
    assertTrue(none.getMessage().contains("negatives"), none.getMessage());
    loss.negatives(Nd4j.rand(DataType.DOUBLE, 4, 2));
    assertThrows(IllegalArgumentException.class,
        () -> loss.computeScore(q, q, new ActivationIdentity(), null, true));
    assertThrows(IllegalArgumentException.class, () -> new MocoLoss(0));
    assertThrows(IllegalArgumentException.class, () -> loss.negatives(Nd4j.rand(DataType.DOUBLE, 4)));
    String json = LossChecks.graph(new MocoLoss(0.3), 3, 4).getConfiguration().toJson();
    assertEquals(json, ComputationGraphConfiguration.fromJson(json).toJson());
    assertTrue(json.contains("0.3"), json);
  }
}
