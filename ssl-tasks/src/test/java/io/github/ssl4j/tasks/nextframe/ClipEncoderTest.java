package io.github.ssl4j.tasks.nextframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.testing.TestData;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The clip representation is the mean over frames of the frame encoder's code, with its weights. */
class ClipEncoderTest {

  private static ComputationGraph frameGraph(FrameEncoder frames) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(5)
        .dataType(DataType.DOUBLE).graphBuilder().addInputs(VertexNames.INPUT).setInputTypes(frames.inputType());
    g.setOutputs(frames.addTo(g, VertexNames.INPUT));
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    return net;
  }

  @Test
  void clipCodeIsTheMeanOfTheFrameCodes() {
    for (FrameEncoder frames : List.of(FrameEncoder.builder(8, 8, 1).convWidths(2).embedding(3).build(),
        FrameEncoder.builder(8, 8, 1).convWidths(2, 3).keepMap().build())) {
      ComputationGraph net = frameGraph(frames);
      ClipEncoder clip = ClipEncoder.of(frames);
      ModelMetadata meta = new ModelMetadata("t", Map.of(), clip.describe(), clip.inputType().toString(),
          clip.blockOutputs(), clip.representationSize(), 1, 0, "v", "v", "now");
      PretrainedEncoder cut = PretrainedEncoder.from(net, clip, meta);
      INDArray clips = TestData.images(2 * 3, 1, 8, 8, 3).castTo(DataType.DOUBLE).reshape(2, 3, 1, 8, 8);
      INDArray z = cut.embed(NextFrameTask.asTimeSeries(clips));
      assertArrayEquals(new long[] {2, clip.representationSize()}, z.shape());
      for (int i = 0; i < 2; i++) {
        INDArray perFrame = net.outputSingle(false, clips.get(NDArrayIndex.point(i)).dup()); // [3, ...]
        INDArray code = perFrame.rank() == 4 ? perFrame.mean(2, 3) : perFrame;
        INDArray expected = code.mean(0);
        for (int j = 0; j < expected.length(); j++) {
          assertEquals(expected.getDouble(j), z.getDouble(i, j), 1e-9, frames + " clip " + i);
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> ClipEncoder.of(TestData.tinyMlp(64, 4)));
  }
}
