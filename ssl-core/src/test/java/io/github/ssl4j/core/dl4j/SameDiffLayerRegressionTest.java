package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Documents DL4J 1.0.0-M2.1 bug B2: a stock {@code SameDiffLayer} (here y = xW + b) returns
 * gradients exactly 2× too large, both for its own parameters and for everything below it (the
 * epsilon it passes back); layers above it are unaffected. If this test fails, DL4J changed or
 * fixed the bug: revisit {@link CorrectedSameDiffLayer}.
 */
@org.junit.jupiter.api.extension.ExtendWith(DoublePrecision.class)
class SameDiffLayerRegressionTest {

  @Test
  void stockSameDiffLayerGradientsAreStillTwiceTooLarge() {
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3).subi(0.5);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 4, 2).subi(0.5);
    Map<String, Double> r = SameDiffLayerTestSupport.gradientRatios(SameDiffLayerTestSupport.graph(
        SameDiffLayerTestSupport.conf(new SameDiffLayerTestSupport.StockDense(3, 2))), x, y);
    String msg = "analytic/numeric gradient ratios " + r
        + "; if the 'sd' and 'pre' ratios are 1, DL4J fixed bug B2: drop CorrectedSameDiffLayer";
    assertEquals(2.0, r.get("sd_W"), 1e-3, msg);
    assertEquals(2.0, r.get("sd_b"), 1e-3, msg);
    assertEquals(2.0, r.get("pre_W"), 1e-3, msg);   // epsilon passed back is 2x as well
    assertEquals(1.0, r.get("out_W"), 1e-3, msg);   // layers above are right
  }
}
