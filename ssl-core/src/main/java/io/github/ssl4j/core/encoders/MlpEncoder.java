package io.github.ssl4j.core.encoders;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.SingleForwardDense;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.activations.Activation;

/**
 * A multi-layer perceptron encoder: input of shape [batch, inputSize] → dense layers of the given
 * widths, each followed by the activation. The output (and representation) is the last dense layer,
 * shape [batch, last width]. One block per dense layer, named {@code encoder/dense1},
 * {@code encoder/dense2}, ...
 *
 * <pre>{@code
 * Encoder enc = MlpEncoder.builder(784).hiddenWidths(256, 128).build(); // 784 -> 256 -> 128
 * }</pre>
 *
 * <p>Immutable; instances come from {@link #builder(int)}.
 */
public final class MlpEncoder implements Encoder {
  private final int inputSize;
  private final int[] widths;
  private final Activation activation;
  private final List<String> blocks;

  private MlpEncoder(int inputSize, int[] widths, Activation activation) {
    this.inputSize = inputSize;
    this.widths = widths.clone();
    this.activation = activation;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < widths.length; i++) {
      names.add(VertexNames.encoder("dense" + (i + 1)));
    }
    this.blocks = List.copyOf(names);
  }

  /**
   * Starts a builder.
   *
   * @param inputSize length of each input vector (input shape [batch, inputSize]); must be &gt; 0
   */
  public static Builder builder(int inputSize) {
    return new Builder(inputSize);
  }

  @Override
  public InputType inputType() {
    return InputType.feedForward(inputSize);
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    String previous = input;
    for (int i = 0; i < widths.length; i++) {
      String name = blocks.get(i);
      graph.addLayer(
          name, new SingleForwardDense.Builder().nOut(widths[i]).activation(activation).build(), previous);
      previous = name;
    }
    return previous;
  }

  /** Feed-forward of the last width. */
  @Override
  public InputType outputType() {
    return InputType.feedForward(widths[widths.length - 1]);
  }

  @Override
  public List<String> blockOutputs() {
    return blocks;
  }

  /** Length of each input vector. */
  public int inputSize() {
    return inputSize;
  }

  /** Widths of the dense layers, input to output (a copy). */
  public int[] hiddenWidths() {
    return widths.clone();
  }

  /** Activation after every dense layer. */
  public Activation activation() {
    return activation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MlpEncoder m
        && m.inputSize == inputSize
        && Arrays.equals(m.widths, widths)
        && m.activation == activation;
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputSize, Arrays.hashCode(widths), activation);
  }

  @Override
  public String toString() {
    return "MlpEncoder[inputSize=" + inputSize + ", hiddenWidths=" + Arrays.toString(widths)
        + ", activation=" + activation + "]";
  }

  /** Builder for {@link MlpEncoder}; {@link #build()} validates. */
  public static final class Builder {
    private final int inputSize;
    private int[] widths = {128};
    private Activation activation = Activation.RELU;

    private Builder(int inputSize) {
      this.inputSize = inputSize;
    }

    /**
     * Widths of the dense layers, input to output; the last is the representation size. Default
     * {@code [128]}.
     */
    public Builder hiddenWidths(int... widths) {
      this.widths = Objects.requireNonNull(widths, "widths").clone();
      return this;
    }

    /** Activation after every dense layer, including the last. Default {@link Activation#RELU}. */
    public Builder activation(Activation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /**
     * @throws IllegalArgumentException if the input size or any width is not positive, or no width
     *     is given
     */
    public MlpEncoder build() {
      if (inputSize <= 0) {
        throw new IllegalArgumentException(
            "MlpEncoder inputSize must be > 0, got " + inputSize
                + "; pass the length of one input vector to MlpEncoder.builder(inputSize)");
      }
      if (widths.length == 0) {
        throw new IllegalArgumentException(
            "MlpEncoder needs at least one hidden width, got none; call hiddenWidths(e.g. 256, 128)");
      }
      for (int i = 0; i < widths.length; i++) {
        if (widths[i] <= 0) {
          throw new IllegalArgumentException(
              "MlpEncoder hidden width at index " + i + " must be > 0, got " + widths[i]
                  + " in " + Arrays.toString(widths) + "; use positive layer sizes");
        }
      }
      return new MlpEncoder(inputSize, widths, activation);
    }
  }
}
