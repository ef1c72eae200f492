package io.github.ssl4j.tasks.nextframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.finetune.FineTuneAdapter;
import io.github.ssl4j.core.finetune.FineTuneMode;
import io.github.ssl4j.core.finetune.FineTuned;
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
import org.nd4j.linalg.learning.config.Adam;

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

  /**
   * A fine-tuned clip network reads each clip on its own whatever the batch: after training its last
   * minibatch (2 clips here) differs from the inference batches (3 clips, then 1), which DL4J's
   * per-clip reshape would otherwise take its size from (workaround B12).
   */
  @Test
  void fineTunedClipNetworkGroupsFramesByClipAfterTraining() {
    FrameEncoder frames = FrameEncoder.builder(8, 8, 1).convWidths(2).embedding(3).build();
    ClipEncoder clip = ClipEncoder.of(frames);
    ModelMetadata meta = new ModelMetadata("t", Map.of(), clip.describe(), clip.inputType().toString(),
        clip.blockOutputs(), clip.representationSize(), 1, 0, "v", "v", "now");
    PretrainedEncoder pretrained = PretrainedEncoder.from(frameGraph(frames), clip, meta);
    INDArray x = NextFrameTask.asTimeSeries(
        TestData.images(10 * 3, 1, 8, 8, 7).castTo(DataType.DOUBLE).reshape(10, 3, 1, 8, 8));
    int[] labels = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
    FineTuned tuned = FineTuneAdapter.builder(pretrained).classification(3).mode(FineTuneMode.FULL)
        .updater(new Adam(1e-2)).epochs(1).batchSize(4).seed(3).build()  // batches of 4, 4, 2
        .train(new LabelledData(x, labels, 3), 3);
    INDArray test = x.get(NDArrayIndex.interval(0, 7)).dup();
    INDArray together = tuned.output(test); // batches of 4 and 3 clips, neither of them 2
    for (int i = 0; i < 7; i++) {
      INDArray alone = tuned.output(test.get(NDArrayIndex.interval(i, i + 1)).dup());
      for (int c = 0; c < 3; c++) {
        assertEquals(alone.getDouble(0, c), together.getDouble(i, c), 1e-12, "clip " + i + " class " + c);
      }
    }
  }
}
