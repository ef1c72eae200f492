package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class VertexActivationsTest {

  /** input → a, input → b, a + b → out → loss: a layer vertex, a non-layer vertex, later consumers. */
  private static ComputationGraph graph() {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(11)
        .dataType(DataType.DOUBLE).graphBuilder()
        .addInputs("input").setInputTypes(InputType.feedForward(4))
        .addLayer("a", new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "input")
        .addLayer("b", new DenseLayer.Builder().nOut(6).activation(Activation.SIGMOID).build(), "input")
        .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a", "b")
        .addLayer("out", new DenseLayer.Builder().nOut(3).activation(Activation.RELU).build(), "sum")
        .addLayer("loss", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
            .activation(Activation.IDENTITY).build(), "out")
        .setOutputs("loss").build());
    g.init();
    return g;
  }

  @Test
  void givesTheForwardPassActivationsOfLayerAndNonLayerVerticesAndLeavesTheInputIntact() {
    ComputationGraph g = graph();
    INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 4);
    INDArray copy = x.dup();
    for (String vertex : new String[] {"a", "sum", "out", "loss", "input"}) {
      INDArray expected = g.feedForward(x, false).get(vertex);
      INDArray got = VertexActivations.of(g, vertex, false, x);
      assertEquals(expected, got, vertex);
      assertFalse(got.wasClosed(), vertex + ": the result must stay usable");
      assertEquals(copy, x, vertex + ": the input must stay intact");
    }
    INDArray view = Nd4j.rand(DataType.DOUBLE, 9, 4).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 7));
    INDArray viewCopy = view.dup();
    assertEquals(g.feedForward(viewCopy, false).get("sum"), VertexActivations.of(g, "sum", false, view));
    assertEquals(viewCopy, view, "a view as input must stay intact");
  }

  @Test
  void rejectsAnUnknownVertexNamingTheVertices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VertexActivations.of(graph(), "head/none", false, Nd4j.rand(DataType.DOUBLE, 2, 4)));
    assertEquals(true, e.getMessage().contains("head/none") && e.getMessage().contains("sum"), e.getMessage());
  }

  @Test
  void dl4jWorkspaceOutputOfAVertexThatFeedsLaterOnesLeavesAWorkspaceOpen() throws Exception {
    // Regression test for the DL4J bug VertexActivations works around: when it fails, DL4J's
    // output(List, ...) can replace the detached feedForward there. Workspaces are per thread, so
    // the workspace it leaves open stays in this throwaway thread.
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3)
        .dataType(DataType.DOUBLE).graphBuilder()
        .addInputs("input").setInputTypes(InputType.feedForward(4))
        .addLayer("encoder", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "input")
        .addLayer("loss", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(4)
            .activation(Activation.IDENTITY).build(), "encoder")
        .setOutputs("loss").build());
    g.init();
    INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 4);
    Throwable[] thrown = new Throwable[1];
    Thread t = new Thread(() -> {
      try {
        g.output(java.util.List.of("encoder"), false, new INDArray[] {x}, null);
      } catch (Throwable e) {
        thrown[0] = e;
      }
    });
    t.start();
    t.join();
    assertEquals(true, thrown[0] != null && thrown[0].getMessage().contains("workspace"),
        "DL4J's output(List, ...) no longer fails for an intermediate vertex: " + thrown[0]);
  }
}
