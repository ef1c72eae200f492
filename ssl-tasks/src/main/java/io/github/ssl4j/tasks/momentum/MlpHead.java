package io.github.ssl4j.tasks.momentum;

import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.BatchNormRelu;
import io.github.ssl4j.core.layers.SingleForwardDense;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * A named MLP head, BYOL-style: every hidden layer is dense (no bias) then batch normalisation and
 * ReLU ({@link BatchNormRelu}), the last layer is dense and linear with a bias. BYOL's projector
 * and predictor are both {@code Linear(4096) - BN - ReLU - Linear(256)}; without batch
 * normalisation the hidden layers are dense with a bias and ReLU.
 *
 * <p>Vertices are {@code head/<name>1}, {@code head/<name>1bn}, {@code head/<name>2}, ... so several
 * heads (projector, predictor) fit in one graph. The input size is inferred from the graph's input
 * types.
 *
 * <pre>{@code
 * MlpHead projector = MlpHead.of("proj", 256, 64);   // 128 -> 256 -> BN -> ReLU -> 64
 * String z = projector.addTo(graph, representation);
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param name local name prefix of the vertices, letters only
 * @param widths output size of each dense layer; the last is the head's output size
 * @param batchNorm whether hidden layers have batch normalisation
 */
public record MlpHead(String name, List<Integer> widths, boolean batchNorm) {

  /** Checks and copies. */
  public MlpHead {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[a-z]+")) {
      throw new IllegalArgumentException("head name must be lower-case letters, got '" + name + "'");
    }
    if (widths == null || widths.isEmpty() || widths.stream().anyMatch(w -> w == null || w < 1)) {
      throw new IllegalArgumentException(
          "an MLP head needs at least one layer width, each >= 1, got " + widths
              + "; e.g. MlpHead.of(\"proj\", 256, 64)");
    }
    widths = List.copyOf(widths);
  }

  /** A head with batch normalisation in its hidden layers. */
  public static MlpHead of(String name, int... widths) {
    java.util.Objects.requireNonNull(widths, "widths");
    return new MlpHead(name, Arrays.stream(widths).boxed().toList(), true);
  }

  /** This head without (false) or with (true) batch normalisation. */
  public MlpHead withBatchNorm(boolean on) {
    return new MlpHead(name, widths, on);
  }

  /** Output size, the last width. */
  public int outputSize() {
    return widths.get(widths.size() - 1);
  }

  /**
   * Adds the head after {@code input}.
   *
   * @return the output vertex, activations [rows, {@link #outputSize()}]
   * @throws IllegalArgumentException if one of its vertex names is taken
   */
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    for (String v : vertexNames()) {
      if (graph.getVertices().containsKey(v)) {
        throw new IllegalArgumentException(
            "Cannot add head '" + name + "': vertex '" + v + "' already exists; give each head its own name");
      }
    }
    String previous = input;
    for (int i = 0; i < widths.size(); i++) {
      boolean last = i == widths.size() - 1;
      String dense = VertexNames.head(name + (i + 1));
      graph.addLayer(dense, new SingleForwardDense.Builder().nOut(widths.get(i)).weightInit(WeightInit.XAVIER)
          .hasBias(last || !batchNorm)
          .activation(last || batchNorm ? Activation.IDENTITY : Activation.RELU).build(), previous);
      previous = dense;
      if (!last && batchNorm) {
        String bn = dense + "bn";
        graph.addLayer(bn, new BatchNormRelu(), previous);
        previous = bn;
      }
    }
    return previous;
  }

  /** Vertex names {@link #addTo} adds, in order; the last is the output. */
  public List<String> vertexNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < widths.size(); i++) {
      out.add(VertexNames.head(name + (i + 1)));
      if (i < widths.size() - 1 && batchNorm) {
        out.add(VertexNames.head(name + (i + 1) + "bn"));
      }
    }
    return List.copyOf(out);
  }

  /** Output vertex name. */
  public String outputVertex() {
    return VertexNames.head(name + widths.size());
  }

  /** Settings for metadata. */
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("widths", widths);
    m.put("batchNorm", batchNorm);
    return m;
  }
}
