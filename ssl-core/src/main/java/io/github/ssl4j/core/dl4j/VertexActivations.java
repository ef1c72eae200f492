package io.github.ssl4j.core.dl4j;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One vertex's activations from a forward pass of a graph, with the pass's other activations freed
 * before it returns.
 *
 * <p>DL4J's {@code ComputationGraph.feedForward} returns every activation outside workspaces. Their
 * memory is native and the Java objects holding it are small, so a forward pass run every step
 * (a teacher network, a periodic check) piles them up until a garbage collection happens to run,
 * which on a large heap can be never before the machine runs out of memory. The workspace-based
 * {@code ComputationGraph.output(List, …)} that would avoid this leaves a workspace open when the
 * requested vertex feeds later ones (DL4J 1.0.0-M2.1), so it cannot be used instead.
 */
public final class VertexActivations {
  private VertexActivations() {}

  /**
   * The activations of {@code vertex} for {@code inputs}, without gradients, outside any
   * workspace; the forward pass's other activations are freed. {@code inputs}, and any activation
   * sharing memory with them or with the result, are left alone.
   *
   * @param graph an initialised graph
   * @param vertex the name of a vertex of {@code graph}
   * @param train whether layers run in training mode (dropout; batch normalisation with batch
   *     statistics); parameters and running statistics are not changed either way
   * @param inputs one array per graph input
   * @return the vertex's activations, the caller's to keep
   * @throws IllegalArgumentException if the graph has no such vertex
   */
  public static INDArray of(ComputationGraph graph, String vertex, boolean train, INDArray... inputs) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(vertex, "vertex");
    Objects.requireNonNull(inputs, "inputs");
    GraphVertex v = graph.getVertex(vertex);
    if (v == null) {
      throw new IllegalArgumentException("The graph has no vertex '" + vertex + "'; vertices: "
          + graph.getConfiguration().getVertices().keySet());
    }
    Map<String, INDArray> acts = v.hasLayer()
        ? graph.feedForward(inputs, layerPosition(graph, v.getLayer()), train)
        : graph.feedForward(inputs, train);
    INDArray out = acts.get(vertex);
    if (out == null) {
      throw new IllegalStateException("The forward pass did not reach vertex '" + vertex + "'");
    }
    Set<Long> keep = new HashSet<>();
    keep.add(out.data().address());
    for (INDArray in : inputs) {
      keep.add(in.data().address());
    }
    for (INDArray a : acts.values()) {
      if (a != null && a.closeable() && keep.add(a.data().address())) {
        a.close();
      }
    }
    return out;
  }

  /** Position of {@code layer} in {@code getLayers()}, which DL4J's partial forward pass counts in. */
  private static int layerPosition(ComputationGraph graph, Layer layer) {
    Layer[] layers = graph.getLayers();
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] == layer) {
        return i;
      }
    }
    throw new IllegalStateException("layer " + layer + " is not among the graph's layers");
  }
}
