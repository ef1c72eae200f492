package io.github.ssl4j.tasks.nextframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.layers.ConvLstm;
import io.github.ssl4j.core.testing.PretextTaskContract;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Contract plus next-frame tests for the convolutional variant (ConvLstm over feature maps) on the
 * 4-frame 8x8 sequences of {@link NextFrameTaskTest}: encoder 8x8x1 → 4x4x2 map, ConvLstm 2
 * filters with a 1x1 kernel (the 3x3 kernel is gradient-checked in ssl-core's ConvLstmTest; 1x1
 * keeps this check at about 100 parameters), decoder from the 4x4x2 map.
 */
class ConvolutionalNextFrameTaskTest extends PretextTaskContract {
  private static final int S = 8;

  private static NextFrameTask tiny() {
    return NextFrameTask.builder()
        .convolutional(2, 1)
        .decoder(FrameDecoder.builder(S, S, 1).mapWidths(2).activation(Activation.TANH).build())
        .build();
  }

  private static FrameEncoder tinyEncoder() {
    return FrameEncoder.builder(S, S, 1).convWidths(2).keepMap().activation(Activation.TANH).build();
  }

  @Override
  protected PretextTask task() {
    return tiny();
  }

  @Override
  protected Encoder encoder() {
    return tinyEncoder();
  }

  @Override
  protected Encoder incompatibleEncoder() {
    return FrameEncoder.builder(S, S, 1).convWidths(2).embedding(4).build(); // vector output: no map
  }

  @Override
  protected INDArray examples(int n, long seed) {
    return NextFrameTaskTest.sequences(n, seed);
  }

  /** As in NextFrameTaskTest: the loss is summed over ~190 terms; 1e-5 keeps rounding noise down. */
  @Override
  protected double gradientCheckEpsilon() {
    return 1e-5;
  }

  /** Overfits in fewer (SameDiff-slow) steps than at the default 1e-2. */
  @Override
  protected double learningRate() {
    return 1e-1;
  }

  @Override
  protected int batchSize() {
    return 4;
  }

  @Override
  protected int gradientCheckBatchSize() {
    return 2;
  }

  @Override
  protected boolean preparesRandomly() {
    return false;
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("feature map", "keepMap");
  }

  private ComputationGraph graph() {
    ComputationGraph g = new ComputationGraph(configuration(new NoOp(), DataType.DOUBLE));
    g.init();
    return g;
  }

  @Test
  void theTemporalLayerIsAConvLstmOverTheMaps() {
    ComputationGraph g = graph();
    assertTrue(g.getConfiguration().getVertices().containsKey(NextFrameTask.CONV_TEMPORAL_VERTEX));
    assertTrue(g.getLayer(NextFrameTask.CONV_TEMPORAL_VERTEX).conf().getLayer() instanceof ConvLstm);
    assertTrue(tiny().isConvolutional());
    assertEquals("ConvLstm 2 filters, kernel 1", tiny().config().get("temporal"));
  }

  @Test
  void rolloutRerunsTheGrowingSequence() {
    ComputationGraph g = graph();
    INDArray seq = NextFrameTaskTest.sequences(2, 5).castTo(DataType.DOUBLE);
    INDArray context = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2)).dup();
    INDArray rolled = NextFrameTask.rollout(g, context, 2);
    assertArrayEquals(new long[] {2, 2, 1, S, S}, rolled.shape());
    // step 1 = teacher-forced prediction after the context
    INDArray withNext = Nd4j.concat(1, context, seq.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 3)).dup());
    assertClose(NextFrameTask.predictNext(g, withNext).get(NDArrayIndex.all(), NDArrayIndex.point(1)),
        rolled.get(NDArrayIndex.all(), NDArrayIndex.point(0)));
    // step 2 = prediction after context + predicted frame (fed back)
    INDArray fed = Nd4j.concat(1, context, rolled.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup(),
        Nd4j.zeros(DataType.DOUBLE, 2, 1, 1, S, S));
    assertClose(NextFrameTask.predictNext(g, fed).get(NDArrayIndex.all(), NDArrayIndex.point(2)),
        rolled.get(NDArrayIndex.all(), NDArrayIndex.point(1)));
  }

  private static void assertClose(INDArray expected, INDArray actual) {
    double diff = expected.sub(actual).norm1Number().doubleValue();
    assertTrue(diff < 1e-9, "differ by " + diff);
  }

  @Test
  void decoderMustStartFromTheConvLstmMap() {
    NextFrameTask task = NextFrameTask.builder().convolutional(3, 1)
        .decoder(FrameDecoder.builder(S, S, 1).mapWidths(2).build()).build();
    ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().graphBuilder();
    var e = assertThrows(IllegalArgumentException.class, () -> task.buildGraph(gb, tinyEncoder()));
    assertTrue(e.getMessage().contains("mapWidths(3"), e.getMessage());
  }

  @Test
  void builderRejectsEvenKernels() {
    var e = assertThrows(IllegalArgumentException.class, () -> NextFrameTask.builder().convolutional(4, 2));
    assertTrue(e.getMessage().contains("kernelSize=2"), e.getMessage());
  }

  /** W4's convolutional variant builds and maps [n, 11, 1, 64, 64] to 10 predicted frames. */
  @Test
  void w4VariantBuildsWithW4Shapes() {
    ComputationGraphConfiguration.GraphBuilder gb =
        new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder();
    NextFrameTask.convLstm().buildGraph(gb, FrameEncoder.smallMap(64, 64, 1));
    ComputationGraph g = new ComputationGraph(gb.build());
    g.init();
    // enc 1->32 (4x4), 32->64 (4x4); ConvLstm 3x3 64->4*64 twice + bias; dec 64->32, 32->1 (4x4)
    long enc = (16 * 32 + 32) + (16 * 32 * 64 + 64);
    long convLstm = 2L * 9 * 64 * 256 + 256;
    long dec = (16 * 64 * 32 + 32) + (16 * 32 + 1);
    assertEquals(enc + convLstm + dec, g.numParams());
    INDArray seq = Nd4j.rand(DataType.FLOAT, 1, 3, 1, 64, 64);
    assertArrayEquals(new long[] {1, 2, 1, 64, 64}, NextFrameTask.predictNext(g, seq).shape());
  }
}
