package io.github.ssl4j.core.layers;

import static io.github.ssl4j.core.testing.ArrayAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The dense layer whose backward pass reuses its forward product: DL4J's numbers up to float summation order. */
class SingleForwardDenseTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void gradientsAndTrainingEqualDl4jsDenseLayer(DataType type) {
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
    ComputationGraph stock = graph(false, type);
    ComputationGraph single = graph(true, type);
    assertInstanceOf(SingleForwardDense.Runtime.class, single.getLayer("tanh"));
    assertInstanceOf(SingleForwardDense.Runtime.class, single.getLayer("identity"));
    single.setParams(stock.params().dup());
    INDArray[] b = batch(type, 7);
    for (ComputationGraph g : new ComputationGraph[] {stock, single}) {
      g.setInputs(b[0]);
      g.setLabels(b[1]);
      g.computeGradientAndScore();
    }
    assertEquals(stock.score(), single.score(), tolerance * Math.abs(stock.score()));
    assertClose(stock.gradient().gradient(), single.gradient().gradient(), tolerance);
    for (int step = 0; step < 3; step++) {
      INDArray[] s = batch(type, 20 + step);
      stock.fit(new INDArray[] {s[0]}, new INDArray[] {s[1]});
      single.fit(new INDArray[] {s[0]}, new INDArray[] {s[1]});
    }
    assertClose(stock.params(), single.params(), tolerance);
  }

  @Test
  void theBackwardPassUsesTheForwardPassesPreActivation() {
    ComputationGraph stock = graph(false, DataType.DOUBLE);
    ComputationGraph single = graph(true, DataType.DOUBLE);
    single.setParams(stock.params().dup());
    stock.initGradientsView();
    single.initGradientsView();
    INDArray in = batch(DataType.DOUBLE, 1)[0];
    INDArray epsilon = Nd4j.rand(DataType.DOUBLE, 5, 6);
    LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
    Layer stockTanh = stock.getLayer("tanh");
    Layer singleTanh = single.getLayer("tanh");
    stockTanh.setInput(in, none);
    singleTanh.setInput(in, none);
    stockTanh.activate(true, none);
    singleTanh.activate(true, none);
    Pair<?, INDArray> expected = stockTanh.backpropGradient(epsilon, none);
    INDArray expectedGradients = stockTanh.getGradientsViewArray().dup();

    singleTanh.activate(true, none);
    // DL4J would compute tanh'(in · W + b) with these changed biases; this layer uses the kept one
    singleTanh.getParam("b").addi(3.0);
    Pair<?, INDArray> actual = singleTanh.backpropGradient(epsilon, none);
    singleTanh.getParam("b").subi(3.0);
    assertClose(expectedGradients, singleTanh.getGradientsViewArray(), 1e-12);

    // nothing is kept after a backward pass: the next one recomputes, as DL4J does
    singleTanh.getParam("b").addi(3.0);
    singleTanh.backpropGradient(epsilon, none);
    assertNotEquals(expectedGradients, singleTanh.getGradientsViewArray());
    assertEquals(expected.getSecond().shape()[1], actual.getSecond().shape()[1]);
  }

  @Test
  void anotherInputIsNotServedTheKeptPreActivation() {
    ComputationGraph stock = graph(false, DataType.DOUBLE);
    ComputationGraph single = graph(true, DataType.DOUBLE);
    single.setParams(stock.params().dup());
    stock.initGradientsView();
    single.initGradientsView();
    LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
    Layer stockTanh = stock.getLayer("tanh");
    Layer singleTanh = single.getLayer("tanh");
    singleTanh.setInput(batch(DataType.DOUBLE, 1)[0], none);
    singleTanh.activate(true, none);
    INDArray other = batch(DataType.DOUBLE, 2)[0];
    singleTanh.setInput(other, none);
    stockTanh.setInput(other, none);
    INDArray epsilon = Nd4j.rand(DataType.DOUBLE, 5, 6);
    assertClose(stockTanh.backpropGradient(epsilon, none).getSecond(),
        singleTanh.backpropGradient(epsilon, none).getSecond(), 1e-12);
    assertClose(stockTanh.getGradientsViewArray(), singleTanh.getGradientsViewArray(), 1e-12);
  }

  @Test
  void survivesJsonWithDl4jsConfiguration() {
    ComputationGraphConfiguration conf = graph(true, DataType.FLOAT).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    ComputationGraph restored = new ComputationGraph(back);
    restored.init();
    assertInstanceOf(SingleForwardDense.Runtime.class, restored.getLayer("tanh"));
    DenseLayer layer = (DenseLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices()
        .get("identity")).getLayerConf().getLayer();
    assertEquals(6, layer.getNOut());
    assertEquals(false, layer.hasBias());
  }

  private static ComputationGraph graph(boolean single, DataType type) {
    DenseLayer.Builder tanh = single ? new SingleForwardDense.Builder() : new DenseLayer.Builder();
    DenseLayer.Builder identity = single ? new SingleForwardDense.Builder() : new DenseLayer.Builder();
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(11)
        .dataType(type)
        .updater(new Adam(1e-2))
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.feedForward(4))
        .addLayer("tanh", tanh.nOut(6).activation(Activation.TANH).build(), "in")
        .addLayer("identity", identity.nOut(6).hasBias(false).activation(Activation.IDENTITY).build(), "tanh")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .nOut(2).activation(Activation.IDENTITY).build(), "identity")
        .setOutputs("out")
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  private static INDArray[] batch(DataType type, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return new INDArray[] {Nd4j.rand(type, 5, 4).subi(0.5), Nd4j.rand(type, 5, 2)};
  }
}
