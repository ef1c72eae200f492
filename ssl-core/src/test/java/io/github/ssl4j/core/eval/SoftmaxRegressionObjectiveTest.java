package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class SoftmaxRegressionObjectiveTest {

  @Test
  void gradientMatchesCentralDifferences() {
    LabelledData data = TestData.random(40, 5, 3, 11, DataType.DOUBLE);
    SoftmaxRegressionObjective f =
        new SoftmaxRegressionObjective(data.features(), data.oneHot(), 0.3);
    Random rng = new Random(12);
    double[] theta = new double[f.numParameters()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = rng.nextGaussian();
    }
    double[] grad = new double[theta.length];
    f.evaluate(theta, grad);
    double h = 1e-5;
    double diff = 0;
    double norm = 0;
    double[] g = new double[theta.length];
    for (int i = 0; i < theta.length; i++) {
      double[] plus = theta.clone();
      double[] minus = theta.clone();
      plus[i] += h;
      minus[i] -= h;
      double fd = (f.evaluate(plus, g) - f.evaluate(minus, g)) / (2 * h);
      diff += (fd - grad[i]) * (fd - grad[i]);
      norm += grad[i] * grad[i];
    }
    double rel = Math.sqrt(diff / norm);
    assertTrue(rel <= 1e-6, "relative gradient error " + rel);
  }

  @Test
  void zeroWeightsGiveLogK() {
    LabelledData data = TestData.random(30, 4, 5, 13, DataType.FLOAT);
    SoftmaxRegressionObjective f =
        new SoftmaxRegressionObjective(data.features(), data.oneHot(), 1.0);
    assertEquals(Math.log(5), f.value(new double[f.numParameters()]), 1e-12);
  }

  @Test
  void penaltyIsHalfL2TimesSquaredNormOfWeightsOnly() {
    LabelledData data = TestData.random(30, 4, 3, 14, DataType.DOUBLE);
    SoftmaxRegressionObjective f0 =
        new SoftmaxRegressionObjective(data.features(), data.oneHot(), 0.0);
    SoftmaxRegressionObjective f1 =
        new SoftmaxRegressionObjective(data.features(), data.oneHot(), 0.5);
    double[] theta = new double[f0.numParameters()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = 0.1 * (i - 7);
    }
    double wSq = 0;
    for (int i = 0; i < 4 * 3; i++) {
      wSq += theta[i] * theta[i];
    }
    assertEquals(0.25 * wSq, f1.value(theta) - f0.value(theta), 1e-12);
  }
}
