package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinearProbeLbfgsTest {

  private static double maxAbs(double[] a) {
    double m = 0;
    for (double v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** Overlapping clusters (not separable), double features so both solvers see the same data. */
  private static LabelledData overlapping(int n, long seed) {
    LabelledData c = TestData.clusters(n, 6, 3, 1.5, 1.0, seed);
    return c.withFeatures(c.features().castTo(DataType.DOUBLE));
  }

  @Test
  void convergesAndIsAtLeastAsGoodAsLongAdam() {
    LabelledData train = overlapping(300, 21);
    double l2 = 1e-2;
    LinearProbe lbfgs = LinearProbe.builder().lbfgs(1000).l2(l2).build();
    LinearProbe.Model exact = lbfgs.fit(train);
    double[] grad = new double[3 * 6 + 3];
    double exactObjective = lbfgs.objective(exact, train, grad);
    assertTrue(maxAbs(grad) <= 1e-6, "max|grad| " + maxAbs(grad));

    LinearProbe adam = LinearProbe.builder().epochs(1500).batchSize(300).learningRate(1e-2)
        .l2(l2).build();
    LinearProbe.Model adamModel = adam.fit(train);
    double adamObjective = lbfgs.objective(adamModel, train, null);
    System.out.printf("objective: L-BFGS %.12f, Adam 1500 full-batch epochs %.12f%n",
        exactObjective, adamObjective);
    assertTrue(exactObjective <= adamObjective + 1e-9,
        "L-BFGS " + exactObjective + " > Adam " + adamObjective);
    assertTrue(exact.accuracy(train) >= 0.6, "accuracy " + exact.accuracy(train));
  }

  @Test
  void deterministic() {
    LabelledData train = TestData.random(400, 8, 3, 22, DataType.FLOAT);
    LabelledData test = TestData.random(100, 8, 3, 23, DataType.FLOAT);
    LinearProbe probe = LinearProbe.builder().lbfgs(50).l2(1e-3).build();
    LinearProbe.Model a = probe.fit(train);
    LinearProbe.Model b = probe.fit(train);
    assertEquals(a.probabilities(test.features()), b.probabilities(test.features()));
    assertArrayEquals(a.predict(test.features()), b.predict(test.features()));
    assertArrayEquals(a.parameters(), b.parameters());
    // The seed plays no part: weights start at zero.
    LinearProbe.Model c = LinearProbe.builder().lbfgs(50).l2(1e-3).seed(99).build().fit(train);
    assertArrayEquals(a.parameters(), c.parameters());
  }

  @Test
  void symmetricTwoClassProblemHasZeroBias() {
    // One feature, class 0 at -x, class 1 at +x for the same magnitudes: by symmetry b0 = b1 = 0.
    double[] magnitudes = {0.3, 0.7, 1.1, 1.6, 2.4, 0.2};
    int n = 2 * magnitudes.length;
    double[][] x = new double[n][1];
    int[] labels = new int[n];
    for (int i = 0; i < magnitudes.length; i++) {
      x[2 * i][0] = -magnitudes[i];
      labels[2 * i] = 0;
      x[2 * i + 1][0] = magnitudes[i];
      labels[2 * i + 1] = 1;
    }
    // Overlap so the optimum is finite even with a small penalty.
    x[0][0] = 0.5;
    x[1][0] = -0.5;
    LabelledData data = new LabelledData(Nd4j.create(x), labels, 2);
    LinearProbe probe = LinearProbe.builder().lbfgs(300).l2(1e-4).build();
    LinearProbe.Model model = probe.fit(data);
    double[] theta = model.parameters(); // w0, w1, b0, b1
    assertEquals(0.0, theta[2], 1e-9, "b0");
    assertEquals(0.0, theta[3], 1e-9, "b1");
    assertTrue(theta[1] > theta[0], "class 1 weight should exceed class 0 weight");
  }

  @Test
  void sameModelTypeAsAdam() {
    LabelledData train = TestData.clusters(500, 8, 4, 3.0, 0.5, 24);
    LabelledData test = TestData.clusters(200, 8, 4, 3.0, 0.5, 25);
    LinearProbe.Result r = LinearProbe.builder().lbfgs(100).build().evaluate(train, test);
    assertTrue(r.testAccuracy() >= 0.95, "test accuracy " + r.testAccuracy());
    LinearProbe.Model model = LinearProbe.builder().lbfgs(100).build().fit(train);
    INDArray p = model.probabilities(test.features());
    assertArrayEquals(new long[] {200, 4}, p.shape());
    assertEquals(200.0, p.sumNumber().doubleValue(), 1e-9);
  }

  @Test
  void builderDefaultsAndValidation() {
    LinearProbe defaults = LinearProbe.builder().build();
    assertEquals(LinearProbe.Solver.ADAM, defaults.solver());
    assertEquals(300, defaults.maxIterations());
    LinearProbe lbfgs = LinearProbe.builder().lbfgs(120).build();
    assertEquals(LinearProbe.Solver.LBFGS, lbfgs.solver());
    assertEquals(120, lbfgs.maxIterations());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LinearProbe.builder().solver(LinearProbe.Solver.LBFGS).maxIterations(0).build());
    assertTrue(e.getMessage().contains("maxIterations") && e.getMessage().contains("got 0"),
        e.getMessage());
  }
}
