package io.github.ssl4j.tasks.masked;

import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.text.TokenWindows;
import io.github.ssl4j.core.text.Vocabulary;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Masked-token top-1 accuracy of a trained {@link MaskedLanguageTask} graph on held-out windows
 * (the usual quality figure of masked language modelling), next to the unigram baseline (always predict the most frequent regular
 * token; with a frequency-sorted {@link Vocabulary} that is id {@link Vocabulary#FIRST_REGULAR_ID}).
 * The masks come from {@code seed}, so repeated evaluations see the same targets. The MLM head is
 * applied only at the masked positions (the encoder output is taken from the graph).
 *
 * @param correct masked positions whose original token was the model's top-1 prediction
 * @param unigramCorrect masked positions whose original token is the baseline token
 * @param masked number of masked (target) positions
 */
public record MaskedTokenAccuracy(long correct, long unigramCorrect, long masked) {

  /** Model accuracy, correct / masked. */
  public double accuracy() {
    return masked == 0 ? Double.NaN : correct / (double) masked;
  }

  /** Unigram-baseline accuracy. */
  public double unigramAccuracy() {
    return masked == 0 ? Double.NaN : unigramCorrect / (double) masked;
  }

  /**
   * Evaluates.
   *
   * @param graph a graph built by {@link MaskedLanguageTask#buildGraph} (trained)
   * @param encoderOutput name of the encoder's output vertex (feeds the head)
   * @param task the task (its masker draws the targets)
   * @param windows held-out token windows
   * @param unigramToken the baseline's token id
   * @param seed seed of the masks
   * @param batch windows per forward pass
   */
  public static MaskedTokenAccuracy evaluate(ComputationGraph graph, String encoderOutput, MaskedLanguageTask task,
      ExampleSource windows, int unigramToken, long seed, int batch) {
    Objects.requireNonNull(graph, "graph");
    if (graph.getVertex(encoderOutput) == null) {
      throw new IllegalArgumentException("graph has no vertex '" + encoderOutput + "'; pass encoder.outputVertex()");
    }
    SplittableRandom rng = new SplittableRandom(seed);
    long correct = 0;
    long unigram = 0;
    long masked = 0;
    long n = windows.size();
    for (long start = 0; start < n; start += batch) {
      int size = (int) Math.min(batch, n - start);
      long[] idx = new long[size];
      for (int i = 0; i < size; i++) {
        idx[i] = start + i;
      }
      INDArray ids = windows.get(idx);
      MaskedTokens m = task.masker().mask(ids, rng);
      int[][] top = predictAt(graph, encoderOutput, m.inputs(), TokenWindows.paddingMask(ids), m.labelMask());
      float[] targets = m.labels().castTo(DataType.FLOAT).dup('c').data().asFloat();
      float[] sel = m.labelMask().dup('c').data().asFloat();
      int len = (int) ids.size(1);
      for (int i = 0; i < size; i++) {
        for (int t = 0; t < len; t++) {
          if (sel[i * len + t] != 0) {
            int y = (int) targets[i * len + t];
            masked++;
            correct += top[i][t] == y ? 1 : 0;
            unigram += y == unigramToken ? 1 : 0;
          }
        }
      }
    }
    return new MaskedTokenAccuracy(correct, unigram, masked);
  }

  /**
   * Top-1 token at the selected positions (others -1).
   *
   * @param inputs token ids [batch, length] as fed to the model (with [MASK] etc.)
   * @param paddingMask [batch, length], 1 = token
   * @param positions [batch, length], 1 where a prediction is wanted
   * @return [batch][length] ids, -1 where not selected
   */
  public static int[][] predictAt(ComputationGraph graph, String encoderOutput, INDArray inputs, INDArray paddingMask,
      INDArray positions) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoderOutput, "encoderOutput");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(paddingMask, "paddingMask");
    Objects.requireNonNull(positions, "positions");
    DataType dt = graph.getConfiguration().getDataType();
    // the forward pass stops at the encoder output: the head runs below only where asked
    INDArray h = graph.output(List.of(encoderOutput), false, new INDArray[] {inputs.castTo(dt)},
        new INDArray[] {paddingMask.castTo(dt)})[0]; // [batch, d, T]
    INDArray w = graph.getLayer(MaskedLanguageTask.HEAD_VERTEX).getParam(DefaultParamInitializer.WEIGHT_KEY);
    INDArray b = graph.getLayer(MaskedLanguageTask.HEAD_VERTEX).getParam(DefaultParamInitializer.BIAS_KEY);
    int n = (int) inputs.size(0);
    int len = (int) inputs.size(1);
    float[] sel = positions.castTo(DataType.FLOAT).dup('c').data().asFloat();
    int[] at = new int[sel.length];
    int count = 0;
    for (int r = 0; r < sel.length; r++) {
      if (sel[r] != 0) {
        at[count++] = r; // row i * len + t of the [batch * T, d] view below
      }
    }
    int[][] out = new int[n][len];
    for (int[] row : out) {
      java.util.Arrays.fill(row, -1);
    }
    if (count == 0) {
      return out;
    }
    INDArray perPosition = h.permute(0, 2, 1).dup('c').reshape(n * (long) len, h.size(1));
    INDArray rows = Nd4j.pullRows(perPosition, 1, java.util.Arrays.copyOf(at, count));
    int[] best = rows.mmul(w).addiRowVector(b).argMax(1).toIntVector();
    for (int k = 0; k < count; k++) {
      out[at[k] / len][at[k] % len] = best[k];
    }
    return out;
  }
}
