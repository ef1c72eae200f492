package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * Documents DL4J 1.0.0-M2.1 bug B1: a stock {@code SameDiffLoss} trained with {@code fit()}
 * (workspaces on, DL4J's default) does not follow its loss: three SGD steps with an MSE written as
 * a {@code SameDiffLoss} end with NaN parameters, where the closed-form {@code LossMSE} does not.
 * (Under {@code GradientCheckUtil}, which runs without workspaces, the stock loss passes: the bug
 * is in how it runs inside a network.) If this test fails, DL4J fixed the bug: remove {@link
 * FixedSameDiffLoss} and use {@code SameDiffLoss} directly.
 */
class SameDiffLossRegressionTest {
  private static DataType oldDefault;

  @BeforeAll
  static void doublePrecision() {
    oldDefault = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @AfterAll
  static void restore() {
    Nd4j.setDefaultDataTypes(oldDefault, oldDefault);
  }

  @Test
  void stockSameDiffLossStillTrainsWrongly() {
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3).subi(0.5);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 5, 2).subi(0.5);
    INDArray ref = SameDiffLossTestSupport.fit(new LossMSE(), 3, x, y);
    boolean broken;
    String how;
    try {
      INDArray stock = SameDiffLossTestSupport.fit(new SameDiffLossTestSupport.StockMse(), 3, x, y);
      double diff = stock.sub(ref).amaxNumber().doubleValue();
      broken = Double.isNaN(diff) || diff > 1e-8;
      how = "max |stock - LossMSE| after 3 steps = " + diff;
    } catch (RuntimeException e) {
      broken = true;
      how = e.toString();
    }
    assertTrue(broken, "DL4J fixed bug B1 (" + how + "): stock SameDiffLoss now trains like LossMSE; "
        + "remove the FixedSameDiffLoss workaround");
  }
}
