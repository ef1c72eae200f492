package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** B2 workaround: {@link CorrectedSameDiffLayer} passes the gradient check, also after JSON. */
@org.junit.jupiter.api.extension.ExtendWith(DoublePrecision.class)
class CorrectedSameDiffLayerTest {
  private static INDArray x;
  private static INDArray y;

  @BeforeAll
  static void data() {
    Nd4j.getRandom().setSeed(5);
    x = Nd4j.rand(DataType.DOUBLE, 4, 3).subi(0.5);
    y = Nd4j.rand(DataType.DOUBLE, 4, 2).subi(0.5);
  }

  @Test
  void passesGradientCheck() {
    ComputationGraph g = SameDiffLayerTestSupport.graph(
        SameDiffLayerTestSupport.conf(new SameDiffLayerTestSupport.CorrectedDense(3, 2)));
    assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {x}).labels(new INDArray[] {y})));
  }

  @Test
  void survivesJsonRoundTripAndStillCorrect() {
    ComputationGraphConfiguration conf =
        SameDiffLayerTestSupport.conf(new SameDiffLayerTestSupport.CorrectedDense(3, 2));
    String json = conf.toJson();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
    assertEquals(json, back.toJson());
    ComputationGraph g = SameDiffLayerTestSupport.graph(back);
    assertInstanceOf(CorrectedSameDiffLayer.HalvedGradientLayer.class, g.getLayer("sd"));
    assertEquals(8, g.getLayer("sd").numParams());
    assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {x}).labels(new INDArray[] {y})));
  }
}
