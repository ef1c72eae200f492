package io.github.ssl4j.tasks.contrastive;

import io.github.ssl4j.core.VertexNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * A multi-layer perceptron projection head (SimCLR's g(.)): dense layers of the given widths, the
 * hidden ones followed by an activation, the last one linear (identity). The contrastive loss is
 * applied to its output; the representation used downstream is its input (the encoder output), so
 * the fine-tune adapter removes every vertex in {@link #vertexNames()}.
 *
 * <p>Vertices are named {@code head/proj1}, {@code head/proj2}, ... ({@link VertexNames#head}). The
 * input size is taken from the graph's input types, so {@code setInputTypes} must be called on the
 * builder before {@link #addTo}.
 *
 * <pre>{@code
 * ProjectionHead head = ProjectionHead.simclr();          // 128 -> 128 -> ReLU -> 64
 * String z = head.addTo(graph, encoder.outputVertex()); // input [batch, 128], output [batch, 64]
 * }</pre>
 *
 * <p>Immutable; holds no randomness (weights are initialised by the graph from its seed).
 */
public final class ProjectionHead {

  /** Local name prefix of the head's vertices: {@code head/proj1}, {@code head/proj2}, ... */
  public static final String LOCAL_PREFIX = "proj";

  private final int[] widths;
  private final Activation activation;
  private final boolean bias;

  private ProjectionHead(Builder b) {
    this.widths = b.widths.clone();
    this.activation = b.activation;
    this.bias = b.bias;
  }

  /**
   * A builder for a head with the given layer widths.
   *
   * @param widths output size of each dense layer in order; the last is the projection size. At
   *     least one, each &gt;= 1. {@code builder(128, 64)} is {@link #simclr()}.
   */
  public static Builder builder(int... widths) {
    return new Builder(widths);
  }

  /**
   * SimCLR's head shape, one hidden layer: dense 128 -&gt; ReLU -&gt; dense 64, with biases. Sized
   * for a 128-d representation; SimCLR itself uses the representation's width for the hidden
   * layer and projects to 128.
   */
  public static ProjectionHead simclr() {
    return builder(128, 64).build();
  }

  /**
   * Adds the head's dense layers after {@code input}.
   *
   * @param graph builder whose input types are set (so layer input sizes can be inferred)
   * @param input vertex feeding the head, activations of shape [batch, nIn]
   * @return name of the last vertex, activations of shape [batch, {@link #outputSize()}]
   * @throws IllegalArgumentException if a head vertex name is already taken in {@code graph}
   */
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    List<String> names = vertexNames();
    for (String name : names) {
      if (graph.getVertices().containsKey(name)) {
        throw new IllegalArgumentException(
            "Cannot add the projection head: vertex '" + name + "' already exists in the graph;"
                + " add only one ProjectionHead per graph");
      }
    }
    String previous = input;
    for (int i = 0; i < widths.length; i++) {
      boolean last = i == widths.length - 1;
      graph.addLayer(
          names.get(i),
          new DenseLayer.Builder()
              .nOut(widths[i])
              .hasBias(bias)
              .weightInit(WeightInit.XAVIER)
              .activation(last ? Activation.IDENTITY : activation)
              .build(),
          previous);
      previous = names.get(i);
    }
    return previous;
  }

  /** Names of the vertices {@link #addTo} adds, in order; the last is the output. */
  public List<String> vertexNames() {
    List<String> names = new ArrayList<>(widths.length);
    for (int i = 1; i <= widths.length; i++) {
      names.add(VertexNames.head(LOCAL_PREFIX + i));
    }
    return List.copyOf(names);
  }

  /** Name of the head's output vertex. */
  public String outputVertex() {
    return VertexNames.head(LOCAL_PREFIX + widths.length);
  }

  /** Size of the projection, the width of the last layer. */
  public int outputSize() {
    return widths[widths.length - 1];
  }

  /** The type of the output vertex, feed-forward of {@link #outputSize()}. */
  public InputType outputType() {
    return InputType.feedForward(outputSize());
  }

  /** Widths of the dense layers, in order (a copy). */
  public int[] widths() {
    return widths.clone();
  }

  /** Activation after each hidden layer (the last layer is linear). */
  public Activation activation() {
    return activation;
  }

  /** Whether the dense layers have biases. */
  public boolean hasBias() {
    return bias;
  }

  /** Settings for model metadata (JSON-serialisable values). */
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("widths", Arrays.stream(widths).boxed().toList());
    m.put("activation", activation.name());
    m.put("bias", bias);
    return Map.copyOf(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProjectionHead h
        && Arrays.equals(widths, h.widths)
        && activation == h.activation
        && bias == h.bias;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(widths), activation, bias);
  }

  @Override
  public String toString() {
    return "ProjectionHead[widths=" + Arrays.toString(widths) + ", activation=" + activation
        + ", bias=" + bias + "]";
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder {
    private final int[] widths;
    private Activation activation = Activation.RELU;
    private boolean bias = true;

    private Builder(int[] widths) {
      if (widths == null || widths.length == 0) {
        throw new IllegalArgumentException(
            "A projection head needs at least one layer width, got none;"
                + " e.g. ProjectionHead.builder(128, 64)");
      }
      this.widths = widths.clone();
    }

    /** Activation after each hidden layer; default {@link Activation#RELU}. */
    public Builder activation(Activation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /** Whether dense layers have biases; default true. */
    public Builder bias(boolean bias) {
      this.bias = bias;
      return this;
    }

    /** Builds the head. */
    public ProjectionHead build() {
      for (int i = 0; i < widths.length; i++) {
        if (widths[i] < 1) {
          throw new IllegalArgumentException(
              "Projection head layer " + (i + 1) + " width must be >= 1, got " + widths[i]
                  + " in " + Arrays.toString(widths) + "; e.g. ProjectionHead.builder(128, 64)");
        }
      }
      return new ProjectionHead(this);
    }
  }
}
