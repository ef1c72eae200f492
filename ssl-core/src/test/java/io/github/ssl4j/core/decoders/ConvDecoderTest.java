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

class ConvDecoderTest {

  @Test
  void smallDecoderMaps7x7x128To28x28x1WithNamedVertices() {
    ConvDecoder dec = ConvDecoder.small();
    InputType in = InputType.convolutional(7, 7, 128);
    ComputationGraphConfiguration.GraphBuilder gb =
        new NeuralNetConfiguration.Builder().seed(1).graphBuilder();
    gb.addInputs("z").setInputTypes(in);
    String out = dec.addTo(gb, "z", in);
    gb.setOutputs(out);
    ComputationGraph net = new ComputationGraph(gb.build());
    net.init();
    assertEquals(ConvDecoder.OUTPUT, out);
    assertEquals(
        List.of(VertexNames.decoder("conv1"), VertexNames.decoder("conv2"), ConvDecoder.OUTPUT),
        List.copyOf(net.getConfiguration().getTopologicalOrderStr()).subList(1, 4));
    INDArray y = net.outputSingle(Nd4j.rand(2, 128, 7, 7));
    assertArrayEquals(new long[] {2, 1, 28, 28}, y.shape());
    assertEquals(InputType.convolutional(28, 28, 1), dec.outputType(in));
    // conv 128->64, 64->32, 32->1, all 3x3 with bias
    assertEquals(9 * 128 * 64 + 64 + 9 * 64 * 32 + 32 + 9 * 32 + 1, net.numParams());
  }

  @Test
  void withoutUpsamplingKeepsTheSize() {
    ConvDecoder dec = ConvDecoder.builder(3).channelWidths(4).upsample(1).build();
    assertEquals(InputType.convolutional(5, 6, 3), dec.outputType(InputType.convolutional(5, 6, 8)));
  }

  @Test
  void rejectsVectorsAndBadSettings() {
    IllegalArgumentException ff =
        assertThrows(IllegalArgumentException.class, () -> ConvDecoder.small().outputType(InputType.feedForward(128)));
    assertTrue(ff.getMessage().contains("globalPool(false)"), ff.getMessage());
    IllegalArgumentException ch = assertThrows(IllegalArgumentException.class, () -> ConvDecoder.builder(0).build());
    assertTrue(ch.getMessage().contains("got 0"), ch.getMessage());
    IllegalArgumentException w =
        assertThrows(IllegalArgumentException.class, () -> ConvDecoder.builder(1).channelWidths(8, -2).build());
    assertTrue(w.getMessage().contains("-2"), w.getMessage());
    IllegalArgumentException up = assertThrows(IllegalArgumentException.class, () -> ConvDecoder.builder(1).upsample(0).build());
    assertTrue(up.getMessage().contains("got 0"), up.getMessage());
  }
}
