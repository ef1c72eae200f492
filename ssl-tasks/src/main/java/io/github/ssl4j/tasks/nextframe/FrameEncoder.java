package io.github.ssl4j.tasks.nextframe;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.InputGradients;
import io.github.ssl4j.core.layers.SingleForwardConvolution;
import io.github.ssl4j.core.layers.SingleForwardDense;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.activations.Activation;

/**
 * Per-frame encoder for next-frame prediction: strided 4x4 convolutions (stride 2, padding 1, so each halves
 * height and width) with ReLU, then a dense layer to the frame embedding.
 *
 * <p>{@link #small}(64, 64, 1): 64x64x1 → conv 32 → ReLU → conv 64 → ReLU → flatten (64x16x16) →
 * dense 512 (no activation). The embedding is the
 * representation (feed-forward output), so the encoder can be cut out and probed on single frames.
 *
 * <p>With {@link Builder#keepMap()} there is no dense layer: the last convolution's feature map is
 * the output ({@link #smallMap}(64, 64, 1): 64x64x1 → 16x16x64), for a temporal model that keeps the
 * spatial layout such as {@code ConvLstm} ({@code NextFrameTask.builder().convolutional(...)}).
 */
public final class FrameEncoder implements Encoder {
  /** Name of the embedding (output) vertex. */
  public static final String OUTPUT = VertexNames.encoder("embedding");

  private final int height;
  private final int width;
  private final int channels;
  private final int[] convWidths;
  private final Activation activation;
  private final int embedding;
  private final boolean keepMap;

  private FrameEncoder(Builder b) {
    this.keepMap = b.keepMap;
    this.height = b.height;
    this.width = b.width;
    this.channels = b.channels;
    this.convWidths = b.convWidths.clone();
    this.embedding = b.embedding;
    this.activation = b.activation;
  }

  /**
   * The default widths without the dense layer: conv 32, conv 64, output the last feature map
   * (64 x height/4 x width/4; 16x16x64 for 64x64 frames), for a convolutional temporal model.
   *
   * @param height frame height, divisible by 4
   * @param width frame width, divisible by 4
   * @param channels frame channels (1 for grey)
   */
  public static FrameEncoder smallMap(int height, int width, int channels) {
    return builder(height, width, channels).keepMap().build();
  }

  /**
   * The default widths: conv 32, conv 64, dense 512 (the frame embedding).
   *
   * @param height frame height, divisible by 4
   * @param width frame width, divisible by 4
   * @param channels frame channels (1 for grey)
   */
  public static FrameEncoder small(int height, int width, int channels) {
    return builder(height, width, channels).build();
  }

  /**
   * @param height frame height, divisible by 2 per conv layer
   * @param width frame width, divisible by 2 per conv layer
   * @param channels frame channels (1 for grey)
   */
  public static Builder builder(int height, int width, int channels) {
    return new Builder(height, width, channels);
  }

  /** Name of the i-th (1-based) convolution vertex. */
  public static String convVertex(int i) {
    return VertexNames.encoder("conv" + i);
  }

  @Override
  public InputType inputType() {
    return InputType.convolutional(height, width, channels);
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    String previous = input;
    long in = channels;
    for (int i = 1; i <= convWidths.length; i++) {
      graph.addLayer(convVertex(i),
          new SingleForwardConvolution.Builder(4, 4)
              // a first layer on the network's input needs no input gradient
              .inputGradient(i > 1 || InputGradients.needed(graph, input))
              .stride(2, 2)
              .padding(1, 1)
              .convolutionMode(ConvolutionMode.Truncate)
              .nIn(in)
              .nOut(convWidths[i - 1])
              .activation(activation)
              .build(),
          previous);
      in = convWidths[i - 1];
      previous = convVertex(i);
    }
    if (keepMap) {
      return previous;
    }
    graph.addLayer(OUTPUT,
        new SingleForwardDense.Builder().nOut(embedding).activation(Activation.IDENTITY).build(), previous);
    return OUTPUT;
  }

  @Override
  public InputType outputType() {
    if (keepMap) {
      return InputType.convolutional(mapHeight(), mapWidth(), convWidths[convWidths.length - 1]);
    }
    return InputType.feedForward(embedding);
  }

  @Override
  public List<String> blockOutputs() {
    List<String> blocks = new ArrayList<>();
    for (int i = 1; i <= convWidths.length; i++) {
      blocks.add(convVertex(i));
    }
    if (!keepMap) {
      blocks.add(OUTPUT);
    }
    return List.copyOf(blocks);
  }

  /** Height and width of the last convolution's feature map. */
  int mapHeight() {
    return height >> convWidths.length;
  }

  int mapWidth() {
    return width >> convWidths.length;
  }

  @Override
  public String toString() {
    return "FrameEncoder[" + height + "x" + width + "x" + channels + ", conv4x4/2 widths="
        + Arrays.toString(convWidths) + ", " + activation
        + (keepMap ? ", output=map]" : ", embedding=" + embedding + "]");
  }

  /** Builder; defaults: conv widths 32, 64; embedding 512; ReLU; dense layer on. */
  public static final class Builder {
    private final int height;
    private final int width;
    private final int channels;
    private int[] convWidths = {32, 64};
    private int embedding = 512;
    private Activation activation = Activation.RELU;
    private boolean keepMap;

    private Builder(int height, int width, int channels) {
      this.height = height;
      this.width = width;
      this.channels = channels;
    }

    /** Output channels of each strided convolution, one per halving of the frame. */
    public Builder convWidths(int... widths) {
      this.convWidths = Objects.requireNonNull(widths, "widths").clone();
      return this;
    }

    /** Size of the frame embedding (the dense output). */
    public Builder embedding(int size) {
      this.embedding = size;
      return this;
    }

    /** Activation after each hidden layer; default ReLU. */
    public Builder activation(Activation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /**
     * No dense layer: the last convolution's feature map {@code [widths[last], height/2^n,
     * width/2^n]} is the output (convolutional output type); {@link #embedding} is then unused.
     * Default off (a dense layer gives the embedding).
     */
    public Builder keepMap() {
      this.keepMap = true;
      return this;
    }

    /** @throws IllegalArgumentException for sizes that do not fit, saying which and how to fix */
    public FrameEncoder build() {
      if (height < 1 || width < 1 || channels < 1) {
        throw new IllegalArgumentException("FrameEncoder needs positive frame sizes, got "
            + height + "x" + width + "x" + channels + " (height x width x channels)");
      }
      if (convWidths.length == 0 || Arrays.stream(convWidths).anyMatch(w -> w < 1)) {
        throw new IllegalArgumentException("FrameEncoder needs at least one conv layer with a positive"
            + " width, got " + Arrays.toString(convWidths) + "; e.g. convWidths(32, 64)");
      }
      int factor = 1 << convWidths.length;
      if (height % factor != 0 || width % factor != 0) {
        throw new IllegalArgumentException("FrameEncoder: " + convWidths.length + " stride-2 conv"
            + " layers need height and width divisible by " + factor + ", got " + height + "x"
            + width + "; crop or pad the frames, or use fewer conv layers");
      }
      if (embedding < 1) {
        throw new IllegalArgumentException("FrameEncoder embedding must be positive, got " + embedding);
      }
      return new FrameEncoder(this);
    }
  }
}
