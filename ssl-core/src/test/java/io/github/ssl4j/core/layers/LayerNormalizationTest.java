package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.dl4j.DoublePrecision;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Gradient check (double) and closed-form check of {@link LayerNormalization}; its native pass is
 * compared with its SameDiff definition in {@code TransformerLayersTest}.
 */
@ExtendWith(DoublePrecision.class)
class LayerNormalizationTest {
  private static ComputationGraph graph(int d) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder()
        .seed(3).dataType(DataType.DOUBLE).updater(new NoOp())
        .graphBuilder()
        .addInputs("in")
        .addLayer("ln", new LayerNormalization(d), "in")
        .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
            .activation(Activation.TANH).dataFormat(RNNFormat.NCW).build(), "ln")
        .setOutputs("out")
        .setInputTypes(InputType.recurrent(d))
        .build());
    g.init();
    return g;
  }

  @Test
  void passesGradientCheckWithPaddingMask() {
    Nd4j.getRandom().setSeed(7);
    ComputationGraph g = graph(5);
    // non-trivial gain and bias so their gradients are checked away from the init point
    g.getLayer("ln").paramTable().get("gain").assign(Nd4j.rand(DataType.DOUBLE, 1, 5).addi(0.5));
    g.getLayer("ln").paramTable().get("bias").assign(Nd4j.rand(DataType.DOUBLE, 1, 5).subi(0.5));
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 5, 4).subi(0.5);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 3, 4).subi(0.5);
    INDArray mask = Nd4j.create(new double[][] {{1, 1, 1, 1}, {1, 1, 0, 0}});
    x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4)).assign(0);
    assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {x}).labels(new INDArray[] {y})
        .inputMask(new INDArray[] {mask}).labelMask(new INDArray[] {mask})));
  }

  @Test
  void unitGainZeroBiasGivesZeroMeanUnitVariancePerPosition() {
    Nd4j.getRandom().setSeed(11);
    ComputationGraph g = graph(6);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 6, 5).muli(4).subi(1);
    INDArray y = g.getLayer("ln").activate(x, false,
        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
    INDArray mean = y.mean(1);
    INDArray var = y.var(false, 1);
    assertEquals(0, mean.amaxNumber().doubleValue(), 1e-10);
    for (int i = 0; i < var.length(); i++) {
      assertEquals(1, var.getDouble(i), 1e-4);
    }
    INDArray zeros = g.getLayer("ln").activate(Nd4j.zeros(DataType.DOUBLE, 1, 6, 2), false,
        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
    assertFalse(Double.isNaN(zeros.sumNumber().doubleValue()));
  }

  @Test
  void rejectsBadSize() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> new LayerNormalization(0));
    assertTrue(e.getMessage().contains("was 0"), e.getMessage());
  }
}
