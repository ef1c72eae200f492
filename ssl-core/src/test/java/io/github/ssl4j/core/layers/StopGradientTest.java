package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class StopGradientTest {

  /** input → a → (b + stop(a)) → out: a's parameters learn only through b's path. */
  private static ComputationGraph graph(boolean stop) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(5).dataType(DataType.DOUBLE).updater(new Sgd(0.1)).graphBuilder()
        .addInputs("input").setInputTypes(InputType.feedForward(3))
        .addLayer("a", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "input")
        .addLayer("b", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "a");
    if (stop) {
      g.addVertex("s", new StopGradient(), "a");
    } else {
      g.addVertex("s", new org.deeplearning4j.nn.conf.graph.ScaleVertex(1.0), "a");
    }
    g.addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "b", "s")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
            .activation(Activation.IDENTITY).build(), "sum")
        .setOutputs("out");
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    return net;
  }

  @Test
  void passesActivationsAndStopsGradients() {
    INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 5, 2);
    ComputationGraph stopped = graph(true);
    ComputationGraph identity = graph(false);
    identity.setParams(stopped.params().dup());
    var acts = stopped.feedForward(x, true);
    assertEquals(acts.get("a"), acts.get("s"));
    assertEquals(identity.outputSingle(x), stopped.outputSingle(x));

    stopped.setInputs(x);
    stopped.setLabels(y);
    stopped.computeGradientAndScore();
    identity.setInputs(x);
    identity.setLabels(y);
    identity.computeGradientAndScore();
    assertEquals(identity.score(), stopped.score(), 1e-15);
    // b and out see the same gradient; a only the part through b, so less than with the identity
    for (String p : new String[] {"b_W", "out_W"}) {
      assertEquals(identity.gradient().getGradientFor(p), stopped.gradient().getGradientFor(p), p);
    }
    INDArray aStopped = stopped.gradient().getGradientFor("a_W");
    INDArray aIdentity = identity.gradient().getGradientFor("a_W");
    assertTrue(aStopped.sub(aIdentity).amaxNumber().doubleValue() > 1e-6, "the stopped path contributed");

    // the stopped path's own contribution is exactly zero: a graph without it has a's gradient
    ComputationGraph withoutPath = new ComputationGraph(new NeuralNetConfiguration.Builder()
        .seed(5).dataType(DataType.DOUBLE).updater(new Sgd(0.1)).graphBuilder()
        .addInputs("input", "constant").setInputTypes(InputType.feedForward(3), InputType.feedForward(4))
        .addLayer("a", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "input")
        .addLayer("b", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "a")
        .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "b", "constant")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
            .activation(Activation.IDENTITY).build(), "sum")
        .setOutputs("out").build());
    withoutPath.init(stopped.params().dup(), true);
    withoutPath.setInputs(x, acts.get("a"));
    withoutPath.setLabels(y);
    withoutPath.computeGradientAndScore();
    assertEquals(withoutPath.gradient().getGradientFor("a_W"), aStopped);
  }

  @Test
  void survivesJsonAndTrainsAndRejectsTwoInputs() {
    ComputationGraph net = graph(true);
    String json = net.getConfiguration().toJson();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
    assertEquals(json, back.toJson());
    assertTrue(back.getVertices().get("s") instanceof StopGradient);
    net.fit(new MultiDataSet(Nd4j.rand(DataType.DOUBLE, 5, 3), Nd4j.rand(DataType.DOUBLE, 5, 2)));
    assertTrue(Double.isFinite(net.score()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new StopGradient().getOutputType(0, InputType.feedForward(2), InputType.feedForward(2)));
    assertTrue(e.getMessage().contains("exactly 1 input, got 2"), e.getMessage());
  }
}
