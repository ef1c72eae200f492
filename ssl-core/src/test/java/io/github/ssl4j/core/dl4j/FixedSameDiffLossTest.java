package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/** B1 workaround: {@link FixedSameDiffLoss} matches the closed form and passes gradient checks. */
@org.junit.jupiter.api.extension.ExtendWith(DoublePrecision.class)
class FixedSameDiffLossTest {
  private static INDArray x;
  private static INDArray y;

  @BeforeAll
  static void data() {
    Nd4j.getRandom().setSeed(3);
    x = Nd4j.rand(DataType.DOUBLE, 5, 3).subi(0.5);
    y = Nd4j.rand(DataType.DOUBLE, 5, 2).subi(0.5);
  }

  @Test
  void passesGradientCheckInAGraph() {
    ComputationGraph g = SameDiffLossTestSupport.graph(new SameDiffLossTestSupport.FixedMse());
    assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {x}).labels(new INDArray[] {y})));
  }

  @Test
  void scoreAndGradientEqualClosedFormMse() {
    FixedSameDiffLoss loss = new SameDiffLossTestSupport.FixedMse();
    LossMSE ref = new LossMSE();
    INDArray pre = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).dup();
    for (int call = 0; call < 2; call++) { // the stock class failed on the second call
      assertEquals(ref.computeScore(y, pre, new ActivationIdentity(), null, true),
          loss.computeScore(y, pre, new ActivationIdentity(), null, true), 1e-12);
      INDArray g = loss.computeGradient(y, pre, new ActivationIdentity(), null);
      INDArray gRef = ref.computeGradient(y, pre, new ActivationIdentity(), null);
      assertTrue(g.equalsWithEps(gRef, 1e-12), g + " vs " + gRef);
    }
  }

  @Test
  void trainsExactlyLikeClosedFormMse() {
    INDArray ref = SameDiffLossTestSupport.fit(new LossMSE(), 3, x, y);
    INDArray fixed = SameDiffLossTestSupport.fit(new SameDiffLossTestSupport.FixedMse(), 3, x, y);
    assertTrue(fixed.equalsWithEps(ref, 1e-10), "max diff " + fixed.sub(ref).amaxNumber());
  }

  @Test
  void survivesJsonRoundTrip() {
    ComputationGraph g = SameDiffLossTestSupport.graph(new SameDiffLossTestSupport.FixedMse());
    String json = g.getConfiguration().toJson();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
    assertEquals(json, back.toJson()); // loss functions have no equals(): compare the JSON
    LayerVertex lv = (LayerVertex) back.getVertices().get("out");
    OutputLayer out = (OutputLayer) lv.getLayerConf().getLayer();
    assertTrue(out.getLossFn() instanceof SameDiffLossTestSupport.FixedMse, String.valueOf(out.getLossFn()));
  }
}
