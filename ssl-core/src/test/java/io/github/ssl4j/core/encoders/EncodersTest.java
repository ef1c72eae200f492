package io.github.ssl4j.core.encoders;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.Representations;
import io.github.ssl4j.core.VertexNames;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class EncodersTest {

  /** Builds input -> encoder -> representation -> output layer; returns the graph. */
  private static ComputationGraph graphWith(Encoder enc) {
    ComputationGraphConfiguration.GraphBuilder g =
        new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).graphBuilder()
            .addInputs(VertexNames.INPUT)
            .setInputTypes(enc.inputType());
    String out = enc.addTo(g, VertexNames.INPUT);
    assertEquals(enc.outputVertex(), out);
    String rep = Representations.addTo(g, out, enc.outputType());
    g.addLayer("loss/out",
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
            .nOut(3).build(), rep);
    g.setOutputs("loss/out");
    ComputationGraph graph = new ComputationGraph(g.build());
    graph.init();
    for (String v : graph.getConfiguration().getVertices().keySet()) {
      assertTrue(v.equals("loss/out") || VertexNames.isEncoder(v), v);
    }
    return graph;
  }

  private static long[] activationShape(ComputationGraph graph, String vertex, INDArray x) {
    return graph.feedForward(x, false).get(vertex).shape();
  }

  @Test
  void mlpShapesMatchOutputType() {
    MlpEncoder enc = MlpEncoder.builder(10).hiddenWidths(16, 8).build();
    assertEquals(InputType.feedForward(8), enc.outputType());
    assertEquals(8, enc.representationSize());
    assertEquals(List.of("encoder/dense1", "encoder/dense2"), enc.blockOutputs());
    ComputationGraph graph = graphWith(enc);
    INDArray x = Nd4j.rand(DataType.FLOAT, 5, 10);
    assertArrayEquals(new long[] {5, 8}, activationShape(graph, enc.outputVertex(), x));
    assertArrayEquals(new long[] {5, 3}, graph.outputSingle(x).shape());
  }

  @Test
  void convPooledShapesMatchOutputType() {
    ConvEncoder enc = ConvEncoder.builder(12, 12, 1).channelWidths(4, 6, 8).build();
    assertEquals(InputType.feedForward(8), enc.outputType());
    assertEquals(List.of("encoder/pool1", "encoder/pool2", "encoder/gap"), enc.blockOutputs());
    ComputationGraph graph = graphWith(enc);
    INDArray x = Nd4j.rand(DataType.FLOAT, 3, 1, 12, 12);
    assertArrayEquals(new long[] {3, 8}, activationShape(graph, enc.outputVertex(), x));
    assertArrayEquals(new long[] {3, 4, 6, 6}, activationShape(graph, "encoder/pool1", x));
    assertArrayEquals(new long[] {3, 3}, graph.outputSingle(x).shape());
  }

  @Test
  void convFeatureMapShapesMatchOutputType() {
    ConvEncoder enc = ConvEncoder.builder(12, 12, 2).channelWidths(4, 6, 8).globalPool(false).build();
    assertEquals(InputType.convolutional(3, 3, 8), enc.outputType());
    assertEquals(8, enc.representationSize());
    assertEquals("encoder/bn3", enc.outputVertex());
    ComputationGraph graph = graphWith(enc);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 12, 12);
    assertArrayEquals(new long[] {2, 8, 3, 3}, activationShape(graph, enc.outputVertex(), x));
    assertArrayEquals(new long[] {2, 8}, activationShape(graph, VertexNames.REPRESENTATION, x));
  }

  @Test
  void w1IsTheWorkloadEncoder() {
    ConvEncoder w1 = ConvEncoder.small(28, 28, 1);
    assertEquals(InputType.convolutional(28, 28, 1), w1.inputType());
    assertEquals(128, w1.representationSize());
    assertArrayEquals(new int[] {32, 64, 128}, w1.channelWidths());
    assertEquals(InputType.convolutional(7, 7, 128),
        ConvEncoder.builder(28, 28, 2).globalPool(false).build().outputType());
    assertEquals(w1, ConvEncoder.builder(28, 28, 1).build());
  }

  @Test
  void invalidWidthsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MlpEncoder.builder(10).hiddenWidths(16, 0).build());
    assertTrue(e.getMessage().contains("index 1") && e.getMessage().contains("got 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MlpEncoder.builder(10).hiddenWidths().build());
    assertThrows(IllegalArgumentException.class, () -> MlpEncoder.builder(0).build());
    e = assertThrows(IllegalArgumentException.class,
        () -> ConvEncoder.builder(28, 28, 1).channelWidths(32, -1).build());
    assertTrue(e.getMessage().contains("got -1"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ConvEncoder.builder(28, 28, 1).channelWidths().build());
    e = assertThrows(IllegalArgumentException.class,
        () -> ConvEncoder.builder(4, 4, 1).channelWidths(2, 2, 2, 2).build());
    assertTrue(e.getMessage().contains("too small"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ConvEncoder.builder(28, 0, 1).build());
  }
}
