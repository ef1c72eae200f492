package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LbfgsTest {

  /** Rosenbrock f(a, b) = (1 - a)² + 100 (b - a²)², minimum 0 at (1, 1). */
  private static double rosenbrock(double[] x, double[] g) {
    double a = x[0];
    double b = x[1];
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
    return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
  }

  @Test
  void rosenbrockReachesTheMinimum() {
    Lbfgs.Result r =
        Lbfgs.withDefaults(300).minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
    System.out.println("Rosenbrock: " + r.iterations() + " iterations, " + r.evaluations()
        + " evaluations, stop " + r.stop() + ", x = " + r.x()[0] + ", " + r.x()[1]);
    assertEquals(1.0, r.x()[0], 1e-6);
    assertEquals(1.0, r.x()[1], 1e-6);
  }

  @Test
  void illConditionedQuadraticReachesTheMinimum() {
    // f = sum_i (i+1) (x_i - i)^2 / 2: ill-conditioned but exact minimum at x_i = i.
    Lbfgs.Objective f = (x, g) -> {
      double v = 0;
      for (int i = 0; i < x.length; i++) {
        g[i] = (i + 1) * (x[i] - i);
        v += 0.5 * (i + 1) * (x[i] - i) * (x[i] - i);
      }
      return v;
    };
    Lbfgs.Result r = Lbfgs.withDefaults(200).minimize(f, new double[20]);
    assertTrue(r.stop() == Lbfgs.Stop.GRADIENT || r.stop() == Lbfgs.Stop.CHANGE, r.toString());
    for (int i = 0; i < 20; i++) {
      assertEquals(i, r.x()[i], 1e-5);
    }
  }

  @Test
  void startAtTheMinimumDoesNoIteration() {
    Lbfgs.Result r = Lbfgs.withDefaults(10).minimize(LbfgsTest::rosenbrock, new double[] {1, 1});
    assertEquals(0, r.iterations());
    assertEquals(1, r.evaluations());
    assertEquals(Lbfgs.Stop.GRADIENT, r.stop());
  }

  @Test
  void iterationBudgetIsRespected() {
    Lbfgs.Result r = Lbfgs.withDefaults(3).minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
    assertTrue(r.iterations() <= 3, r.toString());
    assertTrue(r.evaluations() <= 3 * 5 / 4 + 25, r.toString());
  }

  @Test
  void rejectsBadSettings() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Lbfgs(0, 1, 20, 1e-7, 1e-9));
    assertTrue(e.getMessage().contains("maxIterations=0"), e.getMessage());
  }
}
