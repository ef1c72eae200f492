package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
 *
 * <p>The check runs in a child JVM: whether the bug shows depends on ND4J workspace state, and
 * earlier tests in the same JVM changed the outcome of this one in a subset run.
 */
class SameDiffLossRegressionTest {

  @Test
  void stockSameDiffLossStillTrainsWrongly() throws Exception {
    String result = ChildJvm.run(ChildJvm.testClassPath(), "1g", 120, Probe.class).resultLine();
    assertTrue(result.startsWith("RESULT broken"), "DL4J fixed bug B1 (" + result + "): stock"
        + " SameDiffLoss now trains like LossMSE; remove the FixedSameDiffLoss workaround");
  }

  /** Child-JVM entry point: trains with the stock loss and with LossMSE, prints "RESULT ...". */
  public static final class Probe {
    public static void main(String[] args) {
      Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
      Nd4j.getRandom().setSeed(3);
      INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3).subi(0.5);
      INDArray y = Nd4j.rand(DataType.DOUBLE, 5, 2).subi(0.5);
      INDArray ref = SameDiffLossTestSupport.fit(new LossMSE(), 3, x, y);
      try {
        INDArray stock = SameDiffLossTestSupport.fit(new SameDiffLossTestSupport.StockMse(), 3, x, y);
        double diff = stock.sub(ref).amaxNumber().doubleValue();
        boolean broken = Double.isNaN(diff) || diff > 1e-8;
        System.out.println((broken ? "RESULT broken" : "RESULT fixed")
            + ": max |stock - LossMSE| after 3 steps = " + diff);
      } catch (RuntimeException e) {
        System.out.println("RESULT broken: " + e);
      }
      System.exit(0);
    }
  }
}
