package io.github.ssl4j.tasks.nextframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/** Contract plus next-frame tests on 4-frame sequences of 8x8 frames with a tiny encoder and decoder. */
class NextFrameTaskTest extends PretextTaskContract {
  private static final int T = 4;
  private static final int S = 8;

  private static NextFrameTask tiny() {
    return NextFrameTask.builder()
        .hiddenSize(3)
        .decoder(FrameDecoder.builder(S, S, 1).mapWidths(2).activation(Activation.TANH).build())
        .build();
  }

  private static FrameEncoder tinyEncoder() {
    return FrameEncoder.builder(S, S, 1).convWidths(2).embedding(4).activation(Activation.TANH).build();
  }

  /**
   * [n, T, 1, S, S] in [0, 1], a pure function of (n, seed): a 3x3 bright square moving one pixel
   * per frame (direction and start from the seed) on a faint noisy background, so the next frame
   * is predictable and a tiny model can fit it.
   */
  static INDArray sequences(int n, long seed) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    double[] v = new double[n * T * S * S];
    for (int i = 0; i < n; i++) {
      int y = rng.nextInt(S - 3 - T + 2);
      int x = rng.nextInt(S - 3 - T + 2);
      int dy = rng.nextBoolean() ? 1 : 0;
      int dx = 1 - dy;
      for (int t = 0; t < T; t++) {
        for (int p = 0; p < S * S; p++) {
          int r = p / S;
          int c = p % S;
          boolean on = r >= y + dy * t && r < y + dy * t + 3 && c >= x + dx * t && c < x + dx * t + 3;
          v[((i * T) + t) * S * S + p] = on ? 0.9 : 0.05 * rng.nextDouble();
        }
      }
    }
    return Nd4j.create(v, new long[] {n, T, 1, S, S}, DataType.FLOAT);
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
    return TestData.tinyMlp(S * S, 4); // feed-forward input: not a per-frame image encoder
  }

  @Override
  protected INDArray examples(int n, long seed) {
    return sequences(n, seed);
  }

  /**
   * The loss is summed over 3 steps x 64 pixels (about 130 here), so at the default step of 1e-6
   * the central differences carry rounding noise near 1e-7 on the LSTM's smallest gradients; a
   * step of 1e-5 keeps the check at the default tolerances.
   */
  @Override
  protected double gradientCheckEpsilon() {
    return 1e-5;
  }

  @Override
  protected boolean preparesRandomly() {
    return false; // teacher forcing: features and labels are the sequence, shifted by one frame
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("convolutional", "FrameEncoder");
  }

  private ComputationGraph graph(DataType dt) {
    ComputationGraph g = new ComputationGraph(configuration(new NoOp(), dt));
    g.init();
    return g;
  }

  @Test
  void prepareShiftsTheSequenceByOneFrame() {
    INDArray seq = sequences(3, 7);
    MultiDataSet mds = tiny().prepare(seq, null);
    INDArray f = mds.getFeatures(0);
    INDArray l = mds.getLabels(0);
    assertArrayEquals(new long[] {3, S * S, T - 1}, f.shape());
    assertArrayEquals(new long[] {3, S * S, T - 1}, l.shape());
    for (int n = 0; n < 3; n++) {
      for (int t = 0; t < T - 1; t++) {
        INDArray frame = seq.get(NDArrayIndex.point(n), NDArrayIndex.point(t)).reshape(S * S);
        INDArray next = seq.get(NDArrayIndex.point(n), NDArrayIndex.point(t + 1)).reshape(S * S);
        assertEquals(frame, f.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.point(t)));
        assertEquals(next, l.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.point(t)));
      }
    }
  }

  @Test
  void timeSeriesRoundTripKeepsPixelOrder() {
    INDArray seq = sequences(2, 3);
    INDArray series = NextFrameTask.asTimeSeries(seq);
    assertEquals(seq.getDouble(1, 2, 0, 3, 5), series.getDouble(1, 3 * S + 5, 2));
    assertEquals(seq, NextFrameTask.asFrames(series, 1, S, S));
  }

  @Test
  void lossIsPixelCrossEntropySummedOverPixelsAndStepsAveragedOverSequences() {
    ComputationGraph g = graph(DataType.DOUBLE);
    INDArray seq = sequences(3, 11).castTo(DataType.DOUBLE);
    MultiDataSet mds = tiny().prepare(seq, null);
    double score = g.score(mds);
    INDArray p = g.outputSingle(false, mds.getFeatures(0));
    INDArray y = mds.getLabels(0);
    double sum = 0;
    for (int i = 0; i < p.length(); i++) {
      double pi = p.getDouble(i);
      double yi = y.getDouble(i);
      sum -= yi * Math.log(pi) + (1 - yi) * Math.log(1 - pi);
    }
    assertEquals(sum / 3, score, 1e-9 * Math.abs(sum));
    // and the output is the probability of the next frame, the teacher-forced prediction
    assertEquals(NextFrameTask.asFrames(p, 1, S, S), NextFrameTask.predictNext(g, seq));
  }

  @Test
  void rolloutFeedsEachPredictionBack() {
    ComputationGraph g = graph(DataType.DOUBLE);
    INDArray seq = sequences(2, 5).castTo(DataType.DOUBLE);
    INDArray context = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2)).dup();
    INDArray rolled = NextFrameTask.rollout(g, context, 2);
    assertArrayEquals(new long[] {2, 2, 1, S, S}, rolled.shape());
    // step 1 = teacher-forced prediction after the context
    INDArray withNext = Nd4j.concat(1, context, seq.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 3)).dup());
    INDArray forced = NextFrameTask.predictNext(g, withNext); // predictions of frames 2, 3
    assertClose(forced.get(NDArrayIndex.all(), NDArrayIndex.point(1)),
        rolled.get(NDArrayIndex.all(), NDArrayIndex.point(0)));
    // step 2 = prediction after context + predicted frame (fed back), computed in one pass
    INDArray fed = Nd4j.concat(1, context, rolled.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup(),
        Nd4j.zeros(DataType.DOUBLE, 2, 1, 1, S, S));
    INDArray again = NextFrameTask.predictNext(g, fed); // predictions after frames 1, 2, predicted 3
    assertClose(again.get(NDArrayIndex.all(), NDArrayIndex.point(2)),
        rolled.get(NDArrayIndex.all(), NDArrayIndex.point(1)));
  }

  private static void assertClose(INDArray expected, INDArray actual) {
    double diff = expected.sub(actual).norm1Number().doubleValue();
    assertTrue(diff < 1e-9, "differ by " + diff);
  }

  @Test
  void shortOrMisShapedSequencesAreRejected() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> tiny().prepare(Nd4j.zeros(2, 1, 1, S, S), null));
    assertTrue(e.getMessage().contains("time >= 2") && e.getMessage().contains("[2, 1, 1, 8, 8]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> tiny().prepare(Nd4j.zeros(2, 64, 3), null));
    assertThrows(IllegalArgumentException.class, () -> NextFrameTask.rollout(graph(DataType.FLOAT),
        sequences(1, 1), 0));
  }

  @Test
  void decoderMustReturnTheEncodersFrameShape() {
    NextFrameTask task = NextFrameTask.builder()
        .decoder(FrameDecoder.builder(16, 16, 1).mapWidths(2).build()).build();
    ComputationGraphConfiguration.GraphBuilder gb =
        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().graphBuilder();
    var e = assertThrows(IllegalArgumentException.class, () -> task.buildGraph(gb, tinyEncoder()));
    assertTrue(e.getMessage().contains("frame shape"), e.getMessage());
  }

  /**
   * The W4 model has the PyTorch peer's layer sizes: 18,962,049 parameters there; DL4J's LSTM has
   * one bias vector per gate where PyTorch has two (b_ih and b_hh), 4 x 512 fewer.
   */
  @Test
  void w4ModelHasThePeersParameterCountAndShapes() {
    ComputationGraphConfiguration.GraphBuilder gb =
        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder();
    NextFrameTask.lstm().buildGraph(gb, FrameEncoder.small(64, 64, 1));
    ComputationGraph g = new ComputationGraph(gb.build());
    g.init();
    assertEquals(18_962_049L - 4 * 512, g.numParams());
    INDArray seq = Nd4j.rand(DataType.FLOAT, 2, 11, 1, 64, 64);
    assertArrayEquals(new long[] {2, 10, 1, 64, 64}, NextFrameTask.predictNext(g, seq).shape());
  }
}
