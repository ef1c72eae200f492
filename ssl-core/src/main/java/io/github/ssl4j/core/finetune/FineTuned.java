package io.github.ssl4j.core.finetune;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.eval.Classifier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The result of {@link FineTuneAdapter#fit}: the fine-tuned graph (encoder + downstream head) and
 * convenience methods to use it. The caller owns {@link #graph()}; it shares no arrays with the
 * pretrained encoder. {@link #accuracy} (from {@link Classifier}) compares {@link #predict} with the
 * labels.
 */
public final class FineTuned implements Classifier {
  private final ComputationGraph graph;
  private final PretrainedEncoder encoder;
  private final boolean classification;
  private final int batchSize;

  FineTuned(ComputationGraph graph, PretrainedEncoder encoder, boolean classification, int batchSize) {
    this.graph = graph;
    this.encoder = encoder;
    this.classification = classification;
    this.batchSize = batchSize;
  }

  /** The fine-tuned graph: input {@code input}, output the downstream head. */
  public ComputationGraph graph() {
    return graph;
  }

  /**
   * Head outputs in inference mode, computed in batches.
   *
   * @param x raw inputs, shape [n, ...] as the encoder expects
   * @return shape [n, classes] (class probabilities) or [n, targets] (regression)
   * @throws IllegalArgumentException if {@code x} does not fit the encoder's input type
   */
  public INDArray output(INDArray x) {
    encoder.checkInput(x);
    DataType dt = graph.getConfiguration().getDataType();
    long n = x.size(0);
    INDArray out = null;
    graph.clear(); // training's last labels would size the per-example reshapes (DL4J workaround B12)
    for (long start = 0; start < n; start += batchSize) {
      long end = Math.min(n, start + batchSize);
      INDArray batch = x.get(NDArrayIndex.interval(start, end));
      if (batch.dataType() != dt) {
        batch = batch.castTo(dt);
      }
      INDArray o = graph.output(false, new INDArray[] {batch}, encoder.maskArrays(batch))[0];
      if (out == null) {
        out = Nd4j.create(o.dataType(), n, o.size(1));
      }
      out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(o);
    }
    return out;
  }

  /**
   * Predicted class per example.
   *
   * @param x raw inputs, shape [n, ...]
   * @return class indices, length n
   * @throws IllegalStateException if this is a regression fine-tune
   */
  @Override
  public int[] predict(INDArray x) {
    if (!classification) {
      throw new IllegalStateException(
          "predict(x) gives class indices but this fine-tune is a regression; use output(x)");
    }
    return output(x).argMax(1).toIntVector();
  }
}
