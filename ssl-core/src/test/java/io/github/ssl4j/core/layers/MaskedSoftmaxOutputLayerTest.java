package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.dl4j.DoublePrecision;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/** {@link MaskedSoftmaxOutputLayer} against DL4J's RnnOutputLayer + LossSparseMCXENT, in double precision. */
@ExtendWith(DoublePrecision.class)
class MaskedSoftmaxOutputLayerTest {
  private static ComputationGraph graph(Layer head) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder()
        .seed(3).dataType(DataType.DOUBLE).updater(new NoOp())
        .graphBuilder()
        .addInputs("in")
        .addLayer("pos", new PositionEmbedding(4, 5), "in") // a parameter below the head: epsilon is checked
        .addLayer("head", head, "pos")
        .setOutputs("head")
        .setInputTypes(InputType.recurrent(4, 5))
        .build());
    g.init();
    return g;
  }

  private static MultiDataSet batch() {
    Nd4j.getRandom().setSeed(12);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4, 5).subi(0.5);
    INDArray y = Nd4j.create(new double[][][] {{{1, 6, 2, 0, 3}}, {{5, 5, 4, 1, 0}}, {{2, 3, 6, 6, 1}}});
    INDArray fmask = Nd4j.create(new double[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}, {1, 1, 0, 0, 0}});
    INDArray lmask = Nd4j.create(new double[][] {{0, 1, 0, 1, 1}, {1, 0, 1, 0, 0}, {0, 1, 0, 0, 0}});
    return new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}, new INDArray[] {fmask}, new INDArray[] {lmask});
  }

  @Test
  void scoreAndGradientsEqualTheStockLayer() {
    ComputationGraph ours = graph(new MaskedSoftmaxOutputLayer(4, 7));
    ComputationGraph stock = graph(new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(4).nOut(7)
        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
    stock.setParams(Nd4j.rand(DataType.DOUBLE, 1, ours.numParams()).subi(0.5));
    ours.setParams(stock.params().dup());
    MultiDataSet b = batch();
    ours.setInputs(b.getFeatures());
    ours.setLabels(b.getLabels());
    ours.setLayerMaskArrays(b.getFeaturesMaskArrays(), b.getLabelsMaskArrays());
    ours.computeGradientAndScore();
    stock.setInputs(b.getFeatures());
    stock.setLabels(b.getLabels());
    stock.setLayerMaskArrays(b.getFeaturesMaskArrays(), b.getLabelsMaskArrays());
    stock.computeGradientAndScore();
    assertEquals(stock.score(), ours.score(), 1e-12);
    Gradient g1 = ours.gradient();
    Gradient g2 = stock.gradient();
    for (String k : g2.gradientForVariable().keySet()) {
      assertEquals(0, g2.getGradientFor(k).sub(g1.getGradientFor(k)).amaxNumber().doubleValue(), 1e-12, k);
    }
    // inference: probabilities at every position, as the stock layer
    INDArray p1 = ours.output(false, b.getFeatures(), b.getFeaturesMaskArrays(), b.getLabelsMaskArrays())[0];
    INDArray p2 = stock.output(false, b.getFeatures(), b.getFeaturesMaskArrays(), b.getLabelsMaskArrays())[0];
    assertEquals(p2, p1);
  }

  @Test
  void passesGradientCheck() {
    ComputationGraph ours = graph(new MaskedSoftmaxOutputLayer(4, 7));
    MultiDataSet b = batch();
    assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(ours)
        .inputs(b.getFeatures()).labels(b.getLabels())
        .inputMask(b.getFeaturesMaskArrays()).labelMask(b.getLabelsMaskArrays())));
  }
}
