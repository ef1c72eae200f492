package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;

/** Binary cross-entropy from logits against a naive double loop, DL4J's loss and finite differences. */
class BinaryCrossEntropyTest {
  private final BinaryCrossEntropy loss = new BinaryCrossEntropy();
  private final ActivationSigmoid sigmoid = new ActivationSigmoid();

  private static double naive(double z, double y) {
    double p = 1 / (1 + Math.exp(-z));
    return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
  }

  @Test
  void scoreAndGradientEqualTheDefinitionAndDl4jsLossForModerateLogits() {
    Nd4j.getRandom().setSeed(4);
    INDArray z = Nd4j.rand(DataType.DOUBLE, 6, 9).subi(0.5).muli(8);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 6, 9);
    INDArray perExample = loss.computeScoreArray(y, z.dup(), sigmoid, null);
    INDArray gradient = loss.computeGradient(y, z.dup(), sigmoid, null);
    double total = 0;
    for (int i = 0; i < 6; i++) {
      double row = 0;
      for (int j = 0; j < 9; j++) {
        double zij = z.getDouble(i, j);
        double yij = y.getDouble(i, j);
        row += naive(zij, yij);
        assertEquals(1 / (1 + Math.exp(-zij)) - yij, gradient.getDouble(i, j), 1e-12);
      }
      assertEquals(row, perExample.getDouble(i, 0), 1e-10);
      total += row;
    }
    assertEquals(total, loss.computeScore(y, z.dup(), sigmoid, null, false), 1e-9);
    assertEquals(total / 6, loss.computeScore(y, z.dup(), sigmoid, null, true), 1e-9);
    LossBinaryXENT dl4j = new LossBinaryXENT();
    assertEquals(dl4j.computeScore(y, z.dup(), sigmoid, null, false), total, 1e-9);
    assertTrue(dl4j.computeGradient(y, z.dup(), sigmoid, null).equalsWithEps(gradient, 1e-9));
  }

  @Test
  void saturatedLogitsGiveTheExactLossAndAFullGradient() {
    INDArray z = Nd4j.createFromArray(new double[][] {{-40, 40, 30}});
    INDArray y = Nd4j.createFromArray(new double[][] {{1, 0, 1}});
    // -log sigmoid(-40) = 40 (+ e^-40), -log(1 - sigmoid(40)) = 40, -log sigmoid(30) ~ e^-30
    assertEquals(80, loss.computeScore(y, z.dup(), sigmoid, null, false), 1e-9);
    INDArray g = loss.computeGradient(y, z.dup(), sigmoid, null);
    assertEquals(-1, g.getDouble(0, 0), 1e-12);
    assertEquals(1, g.getDouble(0, 1), 1e-12);
    assertEquals(0, g.getDouble(0, 2), 1e-12);
    // DL4J's clipped loss gives up on the wrong ones
    assertTrue(Math.abs(new LossBinaryXENT().computeGradient(y, z.dup(), sigmoid, null).getDouble(0, 0)) < 1e-6);
  }

  @Test
  void noSubnormalNumbersInScoreOrGradient() {
    // float: sigmoid(-88) ~ 6e-39 is subnormal; in double sigmoid(-720) ~ 2e-313 is
    float[] logits = {-88f, -87f, -100f, -1000f, 88f, 100f, -3f};
    INDArray z = Nd4j.createFromArray(new float[][] {logits});
    INDArray y = Nd4j.zeros(DataType.FLOAT, 1, logits.length);
    assertTrue(Transforms.sigmoid(z, true).getFloat(0, 0) < Float.MIN_NORMAL
        && Transforms.sigmoid(z, true).getFloat(0, 0) > 0, "ND4J's sigmoid(-88) is subnormal");
    INDArray g = loss.computeGradient(y, z.dup(), sigmoid, null);
    assertEquals(0f, g.getFloat(0, 0));
    assertTrue(g.getFloat(0, 1) >= Float.MIN_NORMAL, "sigmoid(-87) is normal and kept");
    assertEquals(1f, g.getFloat(0, 4));
    for (float v : g.data().asFloat()) {
      assertTrue(v == 0 || Math.abs(v) >= Float.MIN_NORMAL, "subnormal gradient " + v);
    }
    // the score: log(1 + e^-|z|) is 0 in float for every |z| above about 17, capped or not
    double expected = 0;
    for (float l : logits) {
      expected += (float) (Math.max(l, 0) + (float) Math.log(1 + (float) Math.exp(-Math.abs(l))));
    }
    assertEquals(expected, loss.computeScore(y, z.dup(), sigmoid, null, false), 1e-3);

    INDArray zd = Nd4j.createFromArray(new double[][] {{-720, -700, 745}});
    INDArray gd = loss.computeGradient(Nd4j.zeros(DataType.DOUBLE, 1, 3), zd.dup(), sigmoid, null);
    assertEquals(0, gd.getDouble(0, 0));
    assertTrue(gd.getDouble(0, 1) >= Double.MIN_NORMAL);
    assertEquals(1, gd.getDouble(0, 2));
    assertEquals(745, loss.computeScore(Nd4j.zeros(DataType.DOUBLE, 1, 3), zd.dup(), sigmoid, null, false), 1e-9);
  }

  @Test
  void masksZeroTheMaskedOutputsAndExamples() {
    Nd4j.getRandom().setSeed(5);
    INDArray z = Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 4);
    INDArray rows = Nd4j.createFromArray(new double[][] {{1}, {0}, {1}});
    INDArray perExample = loss.computeScoreArray(y, z.dup(), sigmoid, rows);
    assertEquals(0, perExample.getDouble(1, 0));
    INDArray outputs = Nd4j.ones(DataType.DOUBLE, 3, 4);
    outputs.putScalar(2, 3, 0);
    INDArray g = loss.computeGradient(y, z.dup(), sigmoid, outputs);
    assertEquals(0, g.getDouble(2, 3));
    assertEquals(loss.computeScoreArray(y, z.dup(), sigmoid, null).getDouble(0, 0), perExample.getDouble(0, 0), 1e-12);
  }

  @Test
  void otherActivationsAndBadShapes() {
    INDArray z = Nd4j.rand(DataType.DOUBLE, 2, 3).subi(0.5);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 3);
    ActivationTanH tanh = new ActivationTanH();
    LossBinaryXENT dl4j = new LossBinaryXENT();
    // any other activation is DL4J's loss
    assertEquals(dl4j.computeGradient(y, z.dup(), tanh, null), loss.computeGradient(y, z.dup(), tanh, null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> loss.computeScore(Nd4j.rand(DataType.DOUBLE, 2, 4), z, sigmoid, null, false));
    assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
  }

  @Test
  void passesGradientCheckAndSurvivesJson() {
    DataType oldDefault = Nd4j.dataType();
    DataType oldFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
          .seed(3).dataType(DataType.DOUBLE).updater(new NoOp())
          .graphBuilder()
          .addInputs("in")
          .setInputTypes(InputType.feedForward(4))
          .addLayer("dense", new DenseLayer.Builder().nOut(5).activation(Activation.IDENTITY).build(), "in")
          .addLayer("loss", new LossLayer.Builder().lossFunction(new BinaryCrossEntropy())
              .activation(Activation.SIGMOID).build(), "dense")
          .setOutputs("loss")
          .build();
      assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
      ComputationGraph g = new ComputationGraph(conf);
      g.init();
      Nd4j.getRandom().setSeed(6);
      INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5).muli(4);
      INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 5);
      assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
          .inputs(new INDArray[] {x}).labels(new INDArray[] {y})));
    } finally {
      Nd4j.setDefaultDataTypes(oldDefault, oldFloat);
    }
  }
}
