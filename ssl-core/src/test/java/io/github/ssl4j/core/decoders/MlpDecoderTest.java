package io.github.ssl4j.core.decoders;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.VertexNames;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MlpDecoderTest {

  @Test
  void addsNamedDenseLayersEndingInTheTargetSize() {
    MlpDecoder dec = MlpDecoder.builder(6).hiddenWidths(5, 7).build();
    ComputationGraphConfiguration.GraphBuilder gb =
        new NeuralNetConfiguration.Builder().seed(1).graphBuilder();
    gb.addInputs("z").setInputTypes(InputType.feedForward(3));
    String out = dec.addTo(gb, "z", InputType.feedForward(3));
    gb.setOutputs(out);
    ComputationGraph net = new ComputationGraph(gb.build());
    net.init();
    assertEquals(MlpDecoder.OUTPUT, out);
    assertEquals(
        List.of(VertexNames.decoder("dense1"), VertexNames.decoder("dense2"), MlpDecoder.OUTPUT),
        List.copyOf(net.getConfiguration().getTopologicalOrderStr()).subList(1, 4));
    INDArray y = net.outputSingle(Nd4j.rand(4, 3));
    assertArrayEquals(new long[] {4, 6}, y.shape());
    assertEquals(InputType.feedForward(6), dec.outputType(InputType.feedForward(3)));
    assertEquals(3 * 5 + 5 + 5 * 7 + 7 + 7 * 6 + 6, net.numParams());
  }

  @Test
  void rejectsNonFeedForwardInputWithAClearMessage() {
    MlpDecoder dec = MlpDecoder.builder(6).build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> dec.outputType(InputType.convolutional(4, 4, 2)));
    assertTrue(e.getMessage().startsWith("MlpDecoder needs a feed-forward input"), e.getMessage());
    assertTrue(e.getMessage().contains("Representations.addTo"), e.getMessage());
    ComputationGraphConfiguration.GraphBuilder gb =
        new NeuralNetConfiguration.Builder().graphBuilder();
    assertThrows(
        IllegalArgumentException.class, () -> dec.addTo(gb, "x", InputType.recurrent(3, 5)));
  }

  @Test
  void validatesSizes() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> MlpDecoder.builder(0).build())
            .getMessage()
            .contains("outputSize must be > 0, got 0"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> MlpDecoder.builder(3).hiddenWidths(4, -1).build())
            .getMessage()
            .contains("got -1 at index 1"));
  }

  @Test
  void isAValueWithADescription() {
    assertEquals(MlpDecoder.builder(6).hiddenWidths(2).build(), MlpDecoder.builder(6).hiddenWidths(2).build());
    assertTrue(MlpDecoder.builder(6).hiddenWidths(2).build().describe().contains("output=6"));
  }
}
