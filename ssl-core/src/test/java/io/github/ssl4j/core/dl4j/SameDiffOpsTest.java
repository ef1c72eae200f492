package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link SameDiffOps}: values against plain-Java references, gradients against finite differences. */
@org.junit.jupiter.api.extension.ExtendWith(DoublePrecision.class)
class SameDiffOpsTest {
  private static final double[][] X = {{0.3, -1.2, 2.0, 0.1}, {1000.0, 999.0, 998.5, 1000.5}, {-3, 0, 0.5, -0.25}};

  private static double lse(double[] row) {
    double m = Double.NEGATIVE_INFINITY;
    for (double v : row) {
      m = Math.max(m, v);
    }
    double s = 0;
    for (double v : row) {
      s += Math.exp(v - m);
    }
    return m + Math.log(s);
  }

  /** A graph with variable x, an op applied to it, and loss = sum(op(x) * weights). */
  private static SameDiff weightedLoss(INDArray x, java.util.function.Function<SDVariable, SDVariable> op) {
    SameDiff sd = SameDiff.create();
    SDVariable xv = sd.var("x", x.dup());
    SDVariable out = op.apply(xv);
    INDArray w = Nd4j.linspace(DataType.DOUBLE, 0.5, 0.25, out.eval().length()).reshape(out.eval().shape());
    out.mul(sd.constant(w)).sum().rename("loss").markAsLoss();
    return sd;
  }

  @Test
  void logSumExpIsStableAndCorrect() {
    INDArray x = Nd4j.createFromArray(X);
    SameDiff sd = SameDiff.create();
    INDArray out = SameDiffOps.logSumExp(sd.constant(x), 1).eval();
    assertEquals(1, out.rank());
    for (int i = 0; i < X.length; i++) {
      assertEquals(lse(X[i]), out.getDouble(i), 1e-12, "row " + i);
    }
  }

  @Test
  void logSumExpGradientChecks() {
    INDArray x = Nd4j.createFromArray(X).subi(Nd4j.createFromArray(new double[] {0, 999, 0}).reshape(3, 1));
    assertTrue(GradCheckUtil.checkGradients(weightedLoss(x, v -> SameDiffOps.logSumExp(v, 1)), Map.of()));
    assertTrue(GradCheckUtil.checkGradients(weightedLoss(x, v -> SameDiffOps.logSumExp(v, 0)), Map.of()));
  }

  @Test
  void softmaxCrossEntropyMatchesReferenceAndGradientChecks() {
    INDArray logits = Nd4j.createFromArray(X).subi(Nd4j.createFromArray(new double[] {0, 999, 0}).reshape(3, 1));
    INDArray labels = Nd4j.createFromArray(new double[][] {{0, 0, 1, 0}, {0.5, 0.5, 0, 0}, {1, 0, 0, 0}});
    SameDiff sd = SameDiff.create();
    INDArray ce = SameDiffOps.softmaxCrossEntropy(sd.constant(labels), sd.constant(logits)).eval();
    for (int i = 0; i < 3; i++) {
      double[] row = logits.getRow(i).toDoubleVector();
      double expected = 0;
      for (int j = 0; j < row.length; j++) {
        expected -= labels.getDouble(i, j) * (row[j] - lse(row));
      }
      assertEquals(expected, ce.getDouble(i), 1e-12);
    }
    assertTrue(GradCheckUtil.checkGradients(weightedLoss(logits,
        v -> SameDiffOps.softmaxCrossEntropy(v.getSameDiff().constant(labels), v)), Map.of()));
  }

  @Test
  void diagonalMaskAndFillDiagonal() {
    INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4);
    SameDiff sd = SameDiff.create();
    INDArray mask = SameDiffOps.diagonalMask(sd.constant(x)).eval();
    assertEquals(Nd4j.eye(4).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).castTo(DataType.DOUBLE), mask);
    INDArray filled = SameDiffOps.fillDiagonal(sd.constant(x), -1e9).eval();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(i == j ? -1e9 : x.getDouble(i, j), filled.getDouble(i, j), 0.0);
      }
    }
    assertTrue(GradCheckUtil.checkGradients(weightedLoss(Nd4j.rand(DataType.DOUBLE, 4, 4),
        v -> SameDiffOps.fillDiagonal(v, -5.0)), Map.of()));
  }
}
