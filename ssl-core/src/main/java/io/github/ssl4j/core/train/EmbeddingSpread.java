package io.github.ssl4j.core.train;

import io.github.ssl4j.core.dl4j.VertexActivations;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * How far a batch of embeddings is from collapse: each row scaled to unit length (an all-zero row
 * stays zero), then the standard deviation of each dimension over the rows; the spread is the
 * largest of them. 0 means every row points the same way (or is zero); healthy embeddings of d
 * dimensions have a spread of the order of {@code 1 / sqrt(d)}.
 */
final class EmbeddingSpread {
  private EmbeddingSpread() {}

  /**
   * The spread of {@code embeddings}.
   *
   * @param embeddings shape [rows, ...], one embedding per row (flattened)
   * @return the largest per-dimension standard deviation (population) of the unit-length rows, in
   *     [0, 1]; NaN for fewer than two rows or embeddings holding NaN or infinity (the loss and
   *     parameter checks report those)
   * @throws IllegalArgumentException if {@code embeddings} is null or a scalar
   */
  static double of(INDArray embeddings) {
    if (embeddings == null || embeddings.rank() < 1) {
      throw new IllegalArgumentException("embeddings must be an array of shape [rows, ...], got "
          + (embeddings == null ? "null" : "a scalar"));
    }
    long rows = embeddings.size(0);
    if (rows < 2) {
      return Double.NaN;
    }
    INDArray z = embeddings.reshape('c', rows, embeddings.length() / rows).castTo(DataType.DOUBLE);
    INDArray norms = z.norm2(1).reshape(rows, 1);
    INDArray safe = Transforms.max(norms, Double.MIN_NORMAL, true);
    INDArray unit = z.divColumnVector(safe);
    double spread = unit.std(false, 0).maxNumber().doubleValue();
    return Double.isFinite(spread) ? spread : Double.NaN;
  }

  /**
   * The activations of {@code vertex} for at most {@link DivergenceLimits#EMBEDDING_CHECK_ROWS}
   * rows of {@code batch}, computed in inference mode (no dropout, batch normalisation with its
   * running statistics; parameters and running statistics unchanged).
   *
   * @throws IllegalArgumentException if the graph has no vertex {@code vertex}
   */
  static INDArray embeddings(ComputationGraph graph, String vertex, MultiDataSet batch) {
    if (graph.getVertex(vertex) == null) {
      throw new IllegalArgumentException("The task names the embedding vertex '" + vertex + "', which the graph"
          + " does not have; PretextTask.embeddingVertex() must name a vertex that buildGraph adds");
    }
    INDArray[] features = batch.getFeatures();
    long rows = Math.min(features[0].size(0), DivergenceLimits.EMBEDDING_CHECK_ROWS);
    INDArray[] inputs = new INDArray[features.length];
    for (int i = 0; i < features.length; i++) {
      inputs[i] = features[i].get(NDArrayIndex.interval(0, rows));
    }
    INDArray[] masks = batch.getFeaturesMaskArrays();
    if (masks != null) {
      INDArray[] head = new INDArray[masks.length];
      for (int i = 0; i < masks.length; i++) {
        head[i] = masks[i] == null ? null : masks[i].get(NDArrayIndex.interval(0, rows));
      }
      graph.setLayerMaskArrays(head, null);
    }
    try {
      return VertexActivations.of(graph, vertex, false, inputs);
    } finally {
      graph.clearLayerMaskArrays();
    }
  }
}
