package io.github.ssl4j.core.layers;

import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;

/**
 * Whether a layer must compute the gradient of its input, decided when the graph is built: DL4J
 * computes it and then discards it when the input is the network's input.
 */
public final class InputGradients {
  private InputGradients() {}

  /**
   * @param graph the graph being built, not null
   * @param input the vertex the layer reads, not null
   * @return false if {@code input} is a network input, or a {@link SequenceToFrames} vertex on one
   *     (which lets the missing gradient through); true otherwise
   */
  public static boolean needed(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    if (graph.getNetworkInputs().contains(input)) {
      return false;
    }
    GraphVertex vertex = graph.getVertices().get(input);
    List<String> inputs = graph.getVertexInputs().get(input);
    return !(vertex instanceof PreprocessorVertex p && p.getPreProcessor() instanceof SequenceToFrames
        && inputs != null && inputs.size() == 1 && !needed(graph, inputs.get(0)));
  }
}
