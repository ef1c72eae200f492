package io.github.ssl4j.tasks.cpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CPC loss against a naive double-precision reference and its gradient against central
 * differences of that reference (the whole CPC graph's gradient check is in {@link CpcTaskTest}).
 */
class CpcLossTest {

  /** Input [n, (steps+1)*d, T] with entries of the given scale, a pure function of the seed. */
  private static INDArray input(int n, int d, int steps, int t, double scale, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[n * (steps + 1) * d * t];
    for (int i = 0; i < v.length; i++) {
      v[i] = scale * (2 * rng.nextDouble() - 1);
    }
    return Nd4j.create(v, new long[] {n, (long) (steps + 1) * d, t}, 'c');
  }

  private static INDArray ids(double... ids) {
    return Nd4j.create(ids, new long[] {ids.length, 1}, 'c');
  }

  /** The loss written out from its definition, loops in double. */
  static double naive(INDArray x, double[] ids, int d, int steps) {
    int n = (int) x.size(0);
    int t = (int) x.size(2);
    double total = 0;
    int anchors = 0;
    for (int k = 1; k <= steps; k++) {
      for (int b = 0; b < n; b++) {
        for (int s = 0; s + k < t; s++) {
          double max = Double.NEGATIVE_INFINITY;
          double[][] l = new double[n][t];
          for (int b2 = 0; b2 < n; b2++) {
            for (int s2 = 0; s2 < t; s2++) {
              double dot = 0;
              for (int j = 0; j < d; j++) {
                dot += x.getDouble(b, (k - 1) * d + j, s) * x.getDouble(b2, steps * d + j, s2);
              }
              l[b2][s2] = dot;
              if (b2 == b || ids[b2] != ids[b]) {
                max = Math.max(max, dot);
              }
            }
          }
          double sum = 0;
          for (int b2 = 0; b2 < n; b2++) {
            if (b2 == b || ids[b2] != ids[b]) {
              for (int s2 = 0; s2 < t; s2++) {
                sum += Math.exp(l[b2][s2] - max);
              }
            }
          }
          total += max + Math.log(sum) - l[b][s + k];
          anchors++;
        }
      }
    }
    return total / anchors;
  }

  @Test
  void lossEqualsTheNaiveReferenceOverASweep() {
    int[][] shapes = {{2, 1, 1, 2}, {2, 3, 2, 4}, {3, 4, 3, 5}, {4, 2, 5, 3}, {5, 6, 2, 7}};
    double[] scales = {0.1, 1, 4};
    long seed = 1;
    for (int[] s : shapes) {
      for (double scale : scales) {
        int n = s[0];
        int d = s[1];
        int steps = s[2];
        int t = s[3];
        INDArray x = input(n, d, steps, t, scale, seed++);
        double[] idv = new double[n];
        for (int i = 0; i < n; i++) {
          idv[i] = 10 + i;
        }
        if (n >= 4) {
          idv[3] = idv[1]; // a repeated clip: not its own negative
        }
        double expected = naive(x, idv, d, steps);
        double got = CpcLoss.compute(x, ids(idv), d, steps, false).loss();
        assertEquals(expected, got, 1e-9, "n=" + n + " d=" + d + " steps=" + steps + " T=" + t + " scale=" + scale);
      }
    }
  }

  @Test
  void gradientEqualsCentralDifferencesOfTheReference() {
    int n = 3;
    int d = 2;
    int steps = 2;
    int t = 4;
    INDArray x = input(n, d, steps, t, 1.5, 99);
    double[] idv = {0, 1, 2};
    INDArray g = CpcLoss.compute(x, ids(idv), d, steps, true).gradient();
    double h = 1e-6;
    for (long i = 0; i < x.length(); i++) {
      double old = x.getDouble(i);
      x.putScalar(i, old + h);
      double up = naive(x, idv, d, steps);
      x.putScalar(i, old - h);
      double down = naive(x, idv, d, steps);
      x.putScalar(i, old);
      double numeric = (up - down) / (2 * h);
      assertEquals(numeric, g.getDouble(i), 1e-8, "entry " + i);
    }
  }

  @Test
  void survivesJsonAndRejectsBadSizes() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
        .addInputs("input").setInputTypes(InputType.recurrent(9))
        .addLayer("loss", CpcLoss.of(3, 2), "input").setOutputs("loss").build();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf.toJson(), back.toJson());
    CpcLoss layer = (CpcLoss) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("loss"))
        .getLayerConf().getLayer();
    assertEquals(3, layer.codeSize());
    assertEquals(2, layer.steps());
    assertThrows(IllegalArgumentException.class, () -> CpcLoss.of(0, 2));
    var e = assertThrows(IllegalArgumentException.class, () -> new NeuralNetConfiguration.Builder().graphBuilder()
        .addInputs("input").setInputTypes(InputType.recurrent(8))
        .addLayer("loss", CpcLoss.of(3, 2), "input").setOutputs("loss").build());
    assertTrue(e.getMessage().contains("9 channels"), e.getMessage());
  }
}
