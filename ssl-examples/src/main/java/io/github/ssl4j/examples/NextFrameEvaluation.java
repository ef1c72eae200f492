package io.github.ssl4j.examples;

import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.tasks.nextframe.FrameMetrics;
import io.github.ssl4j.tasks.nextframe.MovingFashionMnist;
import io.github.ssl4j.tasks.nextframe.NextFrameTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * How well a trained next-frame graph predicts held-out Moving Fashion-MNIST: frame 11 from frames
 * 1..10 (teacher forcing) and a 10-frame rollout from 10 context frames, each next to copying the
 * last frame, plus a PNG strip per example sequence.
 */
final class NextFrameEvaluation {
  /** Sequences per forward pass. */
  private static final int EVAL_BATCH = 50;
  /** Context frames of the rollout, and frames predicted. */
  private static final int CONTEXT = 10;

  private NextFrameEvaluation() {}

  /** Frame metrics: MSE summed over the 64x64 pixels of a frame, SSIM in [-1, 1]. */
  record FrameScores(double mse, double ssim, double copyLastMse, double copyLastSsim) {}

  /**
   * @param testSequences held-out sequences for frame 11
   * @param frame11 frame 11 predicted from frames 1..10
   * @param frames2to11Mse mean MSE of the teacher-forced predictions of frames 2..11
   * @param rolloutSequences held-out sequences of 20 frames
   * @param rollout10 mean over the 10 frames rolled out from 10 context frames
   */
  record Outcome(int testSequences, FrameScores frame11, double frames2to11Mse, int rolloutSequences,
      FrameScores rollout10) {}

  /**
   * Scores the graph on {@code test} (11 frames) and {@code rollout} (20 frames), writes the strips
   * of the first two rollout sequences to {@code predictions.png} and adds the summary lines to the
   * report.
   */
  static Outcome run(ComputationGraph graph, MovingFashionMnist test, MovingFashionMnist rollout,
      ExampleReport report) {
    int n = Math.toIntExact(test.size());
    double[] f11 = new double[4];
    double allMse = 0;
    for (int i = 0; i < n; i += EVAL_BATCH) {
      int m = Math.min(EVAL_BATCH, n - i);
      INDArray seq = test.get(LongStream.range(i, i + m).toArray());
      INDArray pred = NextFrameTask.predictNext(graph, seq); // frames 2..11
      add(f11, m, 1, frame(pred, 9), frame(seq, 9), frame(seq, 10));
      INDArray truthAll = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 11)).dup().reshape(m * 10L, 1, 64, 64);
      allMse += m * FrameMetrics.mseSumPerFrame(pred.reshape(m * 10L, 1, 64, 64), truthAll);
    }

    int r = Math.toIntExact(rollout.size());
    double[] roll = new double[4];
    INDArray stripSeq = null;
    INDArray stripRoll = null;
    for (int i = 0; i < r; i += EVAL_BATCH) {
      int m = Math.min(EVAL_BATCH, r - i);
      INDArray seq = rollout.get(LongStream.range(i, i + m).toArray());
      INDArray context = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(0, CONTEXT)).dup();
      INDArray predicted = NextFrameTask.rollout(graph, context, CONTEXT);
      INDArray future = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(CONTEXT, 2 * CONTEXT)).dup();
      INDArray last = frame(seq, CONTEXT - 1);
      for (int k = 0; k < CONTEXT; k++) {
        add(roll, m, CONTEXT, frame(predicted, k), last, frame(future, k));
      }
      if (stripSeq == null) {
        stripSeq = seq.get(NDArrayIndex.interval(0, Math.min(2, m))).dup();
        stripRoll = predicted.get(NDArrayIndex.interval(0, Math.min(2, m))).dup();
      }
    }
    writeStrips(graph, stripSeq, stripRoll, report.file("predictions.png"));
    Outcome o = new Outcome(n, scores(f11, n), allMse / n, r, scores(roll, r));
    report.line("held-out (%d sequences)      model    copy last frame", n);
    report.line("frame 11 MSE (sum/frame)  %7.1f    %7.1f", o.frame11().mse(), o.frame11().copyLastMse());
    report.line("frame 11 SSIM             %7.3f    %7.3f", o.frame11().ssim(), o.frame11().copyLastSsim());
    report.line("frames 2-11 MSE           %7.1f", o.frames2to11Mse());
    report.line("10-frame rollout MSE      %7.1f    %7.1f   (%d sequences)", o.rollout10().mse(),
        o.rollout10().copyLastMse(), r);
    report.line("10-frame rollout SSIM     %7.3f    %7.3f", o.rollout10().ssim(), o.rollout10().copyLastSsim());
    return o;
  }

  /** 28x28 images centred on the 64x64 canvas the frame encoder was trained on. */
  static LabelledData centred(LabelledData d) {
    INDArray x = d.features();
    long n = x.size(0);
    INDArray canvas = Nd4j.zeros(DataType.FLOAT, n, 1, 64, 64);
    canvas.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(18, 46), NDArrayIndex.interval(18, 46))
        .assign(x.reshape(n, 1, 28, 28));
    return d.withFeatures(canvas);
  }

  /**
   * Adds m / frames times {model MSE, model SSIM, copy-last MSE, copy-last SSIM} of one frame of m
   * sequences to {@code sums}.
   */
  private static void add(double[] sums, int m, int frames, INDArray predicted, INDArray last, INDArray truth) {
    sums[0] += m * FrameMetrics.mseSumPerFrame(predicted, truth) / frames;
    sums[1] += m * FrameMetrics.ssim(predicted, truth) / frames;
    sums[2] += m * FrameMetrics.mseSumPerFrame(last, truth) / frames;
    sums[3] += m * FrameMetrics.ssim(last, truth) / frames;
  }

  private static FrameScores scores(double[] sums, int n) {
    return new FrameScores(sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n);
  }

  /** Frame t of sequences [n, T, 1, h, w], as [n, 1, h, w]. */
  private static INDArray frame(INDArray seq, int t) {
    return seq.get(NDArrayIndex.all(), NDArrayIndex.point(t)).dup();
  }

  /** Per sequence: context 1..10 | truth 11..20 | rollout 11..20 | teacher-forced 2..11. */
  private static void writeStrips(ComputationGraph graph, INDArray seq, INDArray roll, Path png) {
    INDArray firstEleven = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(0, CONTEXT + 1)).dup();
    INDArray forced = NextFrameTask.predictNext(graph, firstEleven);
    List<INDArray> rows = new ArrayList<>();
    for (int s = 0; s < seq.size(0); s++) {
      rows.add(seq.get(NDArrayIndex.point(s), NDArrayIndex.interval(0, CONTEXT)).dup());
      rows.add(seq.get(NDArrayIndex.point(s), NDArrayIndex.interval(CONTEXT, 2 * CONTEXT)).dup());
      rows.add(roll.get(NDArrayIndex.point(s)).dup());
      rows.add(forced.get(NDArrayIndex.point(s)).dup());
    }
    try {
      ImageGrid.write(rows.toArray(new INDArray[0]), 1, png);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + png + ": " + e.getMessage(), e);
    }
  }
}
