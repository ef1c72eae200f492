package io.github.ssl4j.core.decoders;

import io.github.ssl4j.core.Decoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.SingleForwardDense;
import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.activations.Activation;

/**
 * A multi-layer perceptron decoder: feed-forward input of any size, zero or more hidden dense layers,
 * then a dense output layer of {@code outputSize} units. Vertices are named {@code decoder/dense1},
 * {@code decoder/dense2}, ... and {@code decoder/output} (see {@link #OUTPUT}).
 *
 * <p>Immutable. The output layer produces pre-loss activations; the task attaches the loss layer.
 *
 * <pre>{@code
 * Decoder dec = MlpDecoder.builder(784).hiddenWidths(256).build();   // [batch, h] -> [batch, 784]
 * String out = dec.addTo(graphBuilder, encoderOutput, encoder.outputType());
 * }</pre>
 */
public final class MlpDecoder implements Decoder {
  /** Name of the output vertex. */
  public static final String OUTPUT = VertexNames.decoder("output");

  private final int outputSize;
  private final int[] hiddenWidths;
  private final Activation hiddenActivation;
  private final Activation outputActivation;

  private MlpDecoder(Builder b) {
    this.outputSize = b.outputSize;
    this.hiddenWidths = b.hiddenWidths.clone();
    this.hiddenActivation = b.hiddenActivation;
    this.outputActivation = b.outputActivation;
  }

  /**
   * @param outputSize number of output units (the target size, e.g. the input dimension for a
   *     reconstruction), &gt; 0
   */
  public static Builder builder(int outputSize) {
    return new Builder(outputSize);
  }

  /** Name of the i-th hidden layer (1-based), e.g. {@code decoder/dense1}. */
  public static String hiddenVertex(int i) {
    return VertexNames.decoder("dense" + i);
  }

  @Override
  public String addTo(
      ComputationGraphConfiguration.GraphBuilder graph, String input, InputType inputType) {
    long nIn = feedForwardSize(inputType);
    String previous = input;
    for (int i = 0; i < hiddenWidths.length; i++) {
      String name = hiddenVertex(i + 1);
      graph.addLayer(
          name,
          new SingleForwardDense.Builder()
              .nIn(nIn)
              .nOut(hiddenWidths[i])
              .activation(hiddenActivation)
              .build(),
          previous);
      nIn = hiddenWidths[i];
      previous = name;
    }
    graph.addLayer(
        OUTPUT,
        new SingleForwardDense.Builder().nIn(nIn).nOut(outputSize).activation(outputActivation).build(),
        previous);
    return OUTPUT;
  }

  @Override
  public InputType outputType(InputType inputType) {
    feedForwardSize(inputType);
    return InputType.feedForward(outputSize);
  }

  private static long feedForwardSize(InputType inputType) {
    Objects.requireNonNull(inputType, "inputType");
    if (inputType instanceof InputType.InputTypeFeedForward ff) {
      return ff.getSize();
    }
    throw new IllegalArgumentException(
        "MlpDecoder needs a feed-forward input (shape [batch, size]), got " + inputType
            + "; pool the encoder output to a vector first (Representations.addTo) or use a"
            + " decoder for " + inputType.getType() + " inputs");
  }

  /** Number of output units. */
  public int outputSize() {
    return outputSize;
  }

  /** Widths of the hidden layers, input side first (a copy). */
  public int[] hiddenWidths() {
    return hiddenWidths.clone();
  }

  public Activation hiddenActivation() {
    return hiddenActivation;
  }

  public Activation outputActivation() {
    return outputActivation;
  }

  @Override
  public String toString() {
    return "MlpDecoder[hidden=" + Arrays.toString(hiddenWidths) + ", output=" + outputSize
        + ", hiddenActivation=" + hiddenActivation + ", outputActivation=" + outputActivation + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MlpDecoder d
        && outputSize == d.outputSize
        && Arrays.equals(hiddenWidths, d.hiddenWidths)
        && hiddenActivation == d.hiddenActivation
        && outputActivation == d.outputActivation;
  }

  @Override
  public int hashCode() {
    return Objects.hash(outputSize, Arrays.hashCode(hiddenWidths), hiddenActivation, outputActivation);
  }

  /** Builder for {@link MlpDecoder}. */
  public static final class Builder {
    private final int outputSize;
    private int[] hiddenWidths = new int[0];
    private Activation hiddenActivation = Activation.RELU;
    private Activation outputActivation = Activation.IDENTITY;

    private Builder(int outputSize) {
      this.outputSize = outputSize;
    }

    /** Hidden layer widths, input side first; default none (a single linear output layer). */
    public Builder hiddenWidths(int... widths) {
      this.hiddenWidths = Objects.requireNonNull(widths, "widths").clone();
      return this;
    }

    /** Activation of the hidden layers; default {@link Activation#RELU}. */
    public Builder hiddenActivation(Activation activation) {
      this.hiddenActivation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /**
     * Activation of the output layer; default {@link Activation#IDENTITY} (use {@code SIGMOID} for
     * targets in [0, 1] if wanted).
     */
    public Builder outputActivation(Activation activation) {
      this.outputActivation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /** @throws IllegalArgumentException if a size is not positive */
    public MlpDecoder build() {
      if (outputSize <= 0) {
        throw new IllegalArgumentException(
            "MlpDecoder outputSize must be > 0, got " + outputSize
                + "; pass the target size, e.g. the input dimension for a reconstruction");
      }
      for (int i = 0; i < hiddenWidths.length; i++) {
        if (hiddenWidths[i] <= 0) {
          throw new IllegalArgumentException(
              "MlpDecoder hidden widths must all be > 0, got " + hiddenWidths[i] + " at index " + i
                  + " of " + Arrays.toString(hiddenWidths));
        }
      }
      return new MlpDecoder(this);
    }
  }
}
