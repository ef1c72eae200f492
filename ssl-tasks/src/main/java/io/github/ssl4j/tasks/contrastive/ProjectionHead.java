package io.github.ssl4j.tasks.contrastive;

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
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * A multi-layer perceptron projection head (SimCLR's g(.)): dense layers of the given widths, the
 * hidden ones followed by an activation, the last one linear (identity). The contrastive loss is
 * applied to its output; the representation used downstream is its input (the encoder output), so
 * the fine-tune adapter removes every vertex in {@link #vertexNames()}.
 *
 * <p>Vertices are named {@code head/proj1}, {@code head/proj2}, ... ({@link VertexNames#head}); a head
 * built with {@link Builder#name(String)} uses its own prefix (e.g. {@code head/pred1}), so a graph
 * can hold several heads (SimSiam's projector and predictor). With {@link Builder#batchNorm(boolean)}
 * every hidden dense layer is followed by batch normalisation ({@code head/proj1-bn}) before its
 * activation, as in the SimSiam, Barlow Twins and VICReg projectors; {@link
 * Builder#outputBatchNorm(boolean)} adds a batch normalisation without scale and shift after the last
 * layer ({@code head/proj3-bn}, SimSiam's projector output). The input size is taken from the graph's
 * input types, so {@code setInputTypes} must be called on the builder before {@link #addTo}.
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
  private final String name;
  private final boolean batchNorm;
  private final boolean outputBatchNorm;

  private ProjectionHead(Builder b) {
    this.widths = b.widths.clone();
    this.activation = b.activation;
    this.bias = b.bias;
    this.name = b.name;
    this.batchNorm = b.batchNorm;
    this.outputBatchNorm = b.outputBatchNorm;
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
      boolean normalised = last ? outputBatchNorm : batchNorm;
      String dense = denseVertex(i);
      graph.addLayer(
          dense,
          new SingleForwardDense.Builder()
              .nOut(widths[i])
              .hasBias(bias && !normalised) // batch norm's shift replaces the bias
              .weightInit(WeightInit.XAVIER)
              .activation(last || normalised ? Activation.IDENTITY : activation)
              .build(),
          previous);
      previous = dense;
      if (normalised && last) {
        graph.addLayer(dense + "-bn", new BatchNormalization.Builder().lockGammaBeta(true).build(), previous);
        previous = dense + "-bn";
      } else if (normalised && activation == Activation.RELU) {
        graph.addLayer(dense + "-bn", new BatchNormRelu(), previous);
        previous = dense + "-bn";
      } else if (normalised) {
        graph.addLayer(dense + "-bn", new BatchNormalization.Builder().build(), previous);
        graph.addLayer(dense + "-act", new ActivationLayer.Builder().activation(activation).build(), dense + "-bn");
        previous = dense + "-act";
      }
    }
    return previous;
  }

  private String denseVertex(int i) {
    return VertexNames.head(name + (i + 1));
  }

  /** Names of the vertices {@link #addTo} adds, in order; the last is the output. */
  public List<String> vertexNames() {
    List<String> names = new ArrayList<>(widths.length);
    for (int i = 0; i < widths.length; i++) {
      boolean last = i == widths.length - 1;
      boolean normalised = last ? outputBatchNorm : batchNorm;
      names.add(denseVertex(i));
      if (normalised) {
        names.add(denseVertex(i) + "-bn");
        if (!last && activation != Activation.RELU) {
          names.add(denseVertex(i) + "-act");
        }
      }
    }
    return List.copyOf(names);
  }

  /** Name of the head's output vertex. */
  public String outputVertex() {
    List<String> names = vertexNames();
    return names.get(names.size() - 1);
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

  /** Whether the dense layers have biases (those followed by batch normalisation never do). */
  public boolean hasBias() {
    return bias;
  }

  /** The local name prefix of the head's vertices, {@value #LOCAL_PREFIX} by default. */
  public String name() {
    return name;
  }

  /** Whether each hidden dense layer is followed by batch normalisation. */
  public boolean hasBatchNorm() {
    return batchNorm;
  }

  /** Whether the last dense layer is followed by batch normalisation without scale and shift. */
  public boolean hasOutputBatchNorm() {
    return outputBatchNorm;
  }

  /** Settings for model metadata (JSON-serialisable values). */
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("widths", Arrays.stream(widths).boxed().toList());
    m.put("activation", activation.name());
    m.put("bias", bias);
    if (!name.equals(LOCAL_PREFIX) || batchNorm || outputBatchNorm) { // SimCLR heads keep their settings
      m.put("name", name);
      m.put("batchNorm", batchNorm);
      m.put("outputBatchNorm", outputBatchNorm);
    }
    return Map.copyOf(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProjectionHead h
        && Arrays.equals(widths, h.widths)
        && activation == h.activation
        && bias == h.bias
        && name.equals(h.name)
        && batchNorm == h.batchNorm
        && outputBatchNorm == h.outputBatchNorm;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(widths), activation, bias, name, batchNorm, outputBatchNorm);
  }

  @Override
  public String toString() {
    return "ProjectionHead[widths=" + Arrays.toString(widths) + ", activation=" + activation
        + ", bias=" + bias
        + (name.equals(LOCAL_PREFIX) ? "" : ", name=" + name)
        + (batchNorm ? ", batchNorm" : "") + (outputBatchNorm ? ", outputBatchNorm" : "") + "]";
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder {
    private final int[] widths;
    private Activation activation = Activation.RELU;
    private boolean bias = true;
    private String name = LOCAL_PREFIX;
    private boolean batchNorm;
    private boolean outputBatchNorm;

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

    /**
     * Local name prefix of the vertices; default {@value #LOCAL_PREFIX} ({@code head/proj1}, ...).
     * Letters and digits only, starting with a letter, e.g. {@code "pred"} for a predictor.
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[A-Za-z][A-Za-z0-9]*")) {
        throw new IllegalArgumentException(
            "Projection head name must be letters and digits starting with a letter, got '" + name
                + "'; e.g. \"pred\" for vertices head/pred1, head/pred2, ...");
      }
      this.name = name;
      return this;
    }

    /** Batch normalisation after each hidden dense layer, before its activation; default false. */
    public Builder batchNorm(boolean batchNorm) {
      this.batchNorm = batchNorm;
      return this;
    }

    /** Batch normalisation without scale and shift after the last dense layer; default false. */
    public Builder outputBatchNorm(boolean outputBatchNorm) {
      this.outputBatchNorm = outputBatchNorm;
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
