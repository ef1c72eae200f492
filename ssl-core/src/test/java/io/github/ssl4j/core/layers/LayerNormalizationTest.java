package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.dl4j.DoublePrecision;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
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

/** Gradient check (double) and closed-form check of {@link LayerNormalization}. */
@ExtendWith(DoublePrecision.class)
class LayerNormalizationTest {
  private static ComputationGraph graph(int d) {
    return graph(new LayerNormalization(d), d, DataType.DOUBLE);
  }

  private static ComputationGraph graph(LayerNormalization layer, int d, DataType type) {
    return graph(null, layer, d, type);
  }

  /** in → [pre →] ln → tanh output; with {@code pre}, ln's input gradient reaches pre's parameters. */
  private static ComputationGraph graph(LayerNormalization pre, LayerNormalization layer, int d,
      DataType type) {
    ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
        .seed(3).dataType(type).updater(new NoOp())
        .graphBuilder()
        .addInputs("in");
    if (pre != null) {
      b.addLayer("pre", pre, "in");
    }
    ComputationGraph g = new ComputationGraph(b
        .addLayer("ln", layer, pre == null ? "in" : "pre")
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

  /** The SameDiff definition of the layer, run by DL4J's SameDiff machinery (the reference). */
  static final class SameDiffLayerNormalization extends LayerNormalization {
    SameDiffLayerNormalization(long size) {
      super(size);
    }

    @Override
    protected HalvedGradientLayer newRuntimeLayer(NeuralNetConfiguration conf, DataType dataType) {
      return new HalvedGradientLayer(conf, dataType);
    }
  }

  @Test
  void nativePassEqualsItsSameDiffDefinition() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
      ComputationGraph nat = graph(new LayerNormalization(6), new LayerNormalization(6), 6, type);
      ComputationGraph ref = graph(new SameDiffLayerNormalization(6), new SameDiffLayerNormalization(6), 6, type);
      assertTrue(nat.getLayer("ln") instanceof LayerNormalization.Runtime);
      assertFalse(ref.getLayer("ln") instanceof LayerNormalization.Runtime);
      Nd4j.getRandom().setSeed(2);
      for (String layer : new String[] {"pre", "ln"}) {
        nat.getLayer(layer).paramTable().get("gain").assign(Nd4j.rand(type, 1, 6).addi(0.5));
        nat.getLayer(layer).paramTable().get("bias").assign(Nd4j.rand(type, 1, 6).subi(0.5));
      }
      ref.setParams(nat.params());
      for (int steps : new int[] {4, 7}) {
        Nd4j.getRandom().setSeed(steps);
        INDArray x = Nd4j.rand(type, 3, 6, steps).subi(0.3).muli(3);
        INDArray y = Nd4j.rand(type, 3, 3, steps).subi(0.5);
        INDArray mask = Nd4j.ones(type, 3, steps);
        mask.putScalar(2, steps - 1, 0.0);
        for (ComputationGraph g : new ComputationGraph[] {nat, ref}) {
          g.setLayerMaskArrays(new INDArray[] {mask}, new INDArray[] {mask});
          g.setInputs(x);
          g.setLabels(y);
          g.computeGradientAndScore();
        }
        assertEquals(ref.score(), nat.score(), tolerance * Math.abs(ref.score()));
        INDArray expected = ref.gradient().gradient();
        double error = nat.gradient().gradient().sub(expected).norm2Number().doubleValue()
            / expected.norm2Number().doubleValue();
        assertTrue(error < tolerance, type + " T=" + steps + ": relative gradient error " + error);
        INDArray outRef = ref.outputSingle(false, x);
        INDArray outNat = nat.outputSingle(false, x);
        assertTrue(outNat.sub(outRef).amaxNumber().doubleValue() < tolerance, type + " inference");
      }
    }
  }

  @Test
  void rejectsBadSize() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> new LayerNormalization(0));
    assertTrue(e.getMessage().contains("was 0"), e.getMessage());
  }
}
