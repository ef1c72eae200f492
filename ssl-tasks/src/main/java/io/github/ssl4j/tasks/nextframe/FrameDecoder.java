package io.github.ssl4j.tasks.nextframe;

import io.github.ssl4j.core.Decoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.SingleForwardDeconvolution;
import io.github.ssl4j.core.layers.SingleForwardDense;
import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.nd4j.linalg.activations.Activation;

/**
 * Per-frame decoder for next-frame prediction: a dense layer to a small feature map, then transposed 4x4
 * convolutions (stride 2, padding 1, each doubling height and width) back to a frame.
 *
 * <p>{@link #small}(64, 64, 1): 512 → dense 64x16x16 → deconv 32 → ReLU → deconv 1, giving
 * pre-sigmoid logits of a 64x64 frame. The output has no activation: the
 * task's loss applies the sigmoid.
 *
 * <p>Given a feature map instead of a vector (convolutional input type equal to the first map,
 * {@code mapWidths[0] x height/2^n x width/2^n}, e.g. 64x16x16 for 64x64 frames), the dense layer is left
 * out and the transposed convolutions start from that map (e.g. after a {@code ConvLstm}).
 */
public final class FrameDecoder implements Decoder {
  /** Name of the dense vertex. */
  public static final String FC = VertexNames.decoder("fc");
  /** Name of the output (last transposed convolution) vertex. */
  public static final String OUTPUT = VertexNames.decoder("output");

  private final int height;
  private final int width;
  private final int channels;
  private final int[] deconvWidths;
  private final Activation activation;

  private FrameDecoder(Builder b) {
    this.height = b.height;
    this.width = b.width;
    this.channels = b.channels;
    this.deconvWidths = b.deconvWidths.clone();
    this.activation = b.activation;
  }

  /**
   * The default widths: dense to a 64 x height/4 x width/4 map, deconv 32 → ReLU, deconv to
   * {@code channels} (64x64 grey frames: dense 64x16x16, deconv 32, deconv 1).
   *
   * @param height decoded frame height, divisible by 4
   * @param width decoded frame width, divisible by 4
   * @param channels decoded frame channels (1 for grey)
   */
  public static FrameDecoder small(int height, int width, int channels) {
    return builder(height, width, channels).build();
  }

  /**
   * @param height decoded frame height, divisible by 2 per transposed convolution
   * @param width decoded frame width, divisible by 2 per transposed convolution
   * @param channels decoded frame channels (1 for grey)
   */
  public static Builder builder(int height, int width, int channels) {
    return new Builder(height, width, channels);
  }

  /** Name of the i-th (1-based) transposed convolution vertex; the last is {@link #OUTPUT}. */
  public String deconvVertex(int i) {
    return i == deconvWidths.length ? OUTPUT : VertexNames.decoder("deconv" + i);
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input, InputType inputType) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    outputType(inputType); // validates
    int stages = deconvWidths.length;
    int h0 = height >> stages;
    int w0 = width >> stages;
    int c0 = deconvWidths[0];
    String previous = input;
    if (!(inputType instanceof InputType.InputTypeConvolutional)) {
      graph.addLayer(FC,
          new SingleForwardDense.Builder().nOut((long) c0 * h0 * w0).activation(Activation.IDENTITY).build(), input);
      graph.inputPreProcessor(deconvVertex(1), new FeedForwardToCnnPreProcessor(h0, w0, c0));
      previous = FC;
    }
    for (int i = 1; i <= stages; i++) {
      boolean last = i == stages;
      graph.addLayer(deconvVertex(i),
          new SingleForwardDeconvolution.Builder(4, 4)
              .stride(2, 2)
              .padding(1, 1)
              .convolutionMode(ConvolutionMode.Truncate)
              .nIn(deconvWidths[i - 1])
              .nOut(last ? channels : deconvWidths[i])
              .activation(last ? Activation.IDENTITY : activation)
              .build(),
          previous);
      previous = deconvVertex(i);
    }
    return OUTPUT;
  }

  @Override
  public InputType outputType(InputType inputType) {
    InputType map = firstMap();
    if (inputType instanceof InputType.InputTypeConvolutional && !map.equals(inputType)) {
      throw new IllegalArgumentException("FrameDecoder decodes a feature map only of its first map's"
          + " shape " + map + " (mapWidths[0] x height/2^n x width/2^n), got " + inputType
          + "; build the decoder with mapWidths(" + ((InputType.InputTypeConvolutional) inputType).getChannels()
          + ", ...) for frames of matching size, or decode a vector instead");
    }
    if (!(inputType instanceof InputType.InputTypeFeedForward) && !map.equals(inputType)) {
      throw new IllegalArgumentException("FrameDecoder decodes a feed-forward frame embedding or a "
          + map + " feature map, got " + inputType + "; put it after a dense or"
          + " recurrent-to-feed-forward vertex");
    }
    return InputType.convolutional(height, width, channels);
  }

  /** The map the transposed convolutions start from: {@code convolutional(h/2^n, w/2^n, mapWidths[0])}. */
  public InputType firstMap() {
    int stages = deconvWidths.length;
    return InputType.convolutional(height >> stages, width >> stages, deconvWidths[0]);
  }

  @Override
  public String toString() {
    return "FrameDecoder[" + height + "x" + width + "x" + channels + ", map widths="
        + Arrays.toString(deconvWidths) + ", deconv4x4/2, " + activation + "]";
  }

  /** Builder; defaults: map of 64 channels, one deconv to 32, one to the frame; ReLU. */
  public static final class Builder {
    private final int height;
    private final int width;
    private final int channels;
    private int[] deconvWidths = {64, 32};
    private Activation activation = Activation.RELU;

    private Builder(int height, int width, int channels) {
      this.height = height;
      this.width = width;
      this.channels = channels;
    }

    /**
     * Channels of the dense layer's feature map, then of each hidden transposed convolution; one
     * more transposed convolution goes to the frame's channels. Default {@code (64, 32)}.
     */
    public Builder mapWidths(int... widths) {
      this.deconvWidths = Objects.requireNonNull(widths, "widths").clone();
      return this;
    }

    /** Activation after each hidden layer; default ReLU. */
    public Builder activation(Activation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /** @throws IllegalArgumentException for sizes that do not fit, saying which and how to fix */
    public FrameDecoder build() {
      if (height < 1 || width < 1 || channels < 1) {
        throw new IllegalArgumentException("FrameDecoder needs positive frame sizes, got "
            + height + "x" + width + "x" + channels + " (height x width x channels)");
      }
      if (deconvWidths.length == 0 || Arrays.stream(deconvWidths).anyMatch(w -> w < 1)) {
        throw new IllegalArgumentException("FrameDecoder needs at least the map width, all positive,"
            + " got " + Arrays.toString(deconvWidths) + "; e.g. mapWidths(64, 32)");
      }
      int factor = 1 << deconvWidths.length;
      if (height % factor != 0 || width % factor != 0) {
        throw new IllegalArgumentException("FrameDecoder: " + deconvWidths.length + " stride-2"
            + " transposed convolutions need height and width divisible by " + factor + ", got "
            + height + "x" + width + "; use fewer map widths or pad the frames");
      }
      return new FrameDecoder(this);
    }
  }
}
