package io.github.ssl4j.core.decoders;

import io.github.ssl4j.core.Decoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.ReluActivation;
import io.github.ssl4j.core.layers.SingleForwardConvolution;
import io.github.ssl4j.core.layers.UpsamplingConvolution;
import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * A convolutional decoder from a feature map back to an image: for each channel width, nearest
 * neighbour upsampling by {@code upsample} (skipped when it is 1) → conv3x3 (same padding) → ReLU;
 * then a conv3x3 to {@code outputChannels} with identity activation (pre-loss values; the task's
 * loss layer applies the output activation, e.g. a sigmoid for pixels in [0, 1]).
 *
 * <p>Input and output shape [batch, channels, height, width] (NCHW); each stage multiplies height and
 * width by {@code upsample}. {@link #small()} maps a 7x7 map (e.g. the 7x7x128 map of {@code
 * ConvEncoder.builder(28, 28, 2).globalPool(false)}) to a 28x28x1 image.
 *
 * <p>Vertex of stage i (1-based): {@code decoder/conv<i>}, the convolution with ReLU, which also
 * upsamples its input when {@code upsample} &gt; 1 ({@link UpsamplingConvolution}: it never stores
 * the upsampled map); the output convolution is {@code decoder/output} ({@link #OUTPUT}).
 *
 * <pre>{@code
 * Decoder dec = ConvDecoder.small();                               // 7x7xC -> 28x28x1
 * Decoder same = ConvDecoder.builder(3).channelWidths(16).upsample(1).build(); // HxWxC -> HxWx3
 * }</pre>
 */
public final class ConvDecoder implements Decoder {
  /** Name of the output convolution. */
  public static final String OUTPUT = VertexNames.decoder("output");

  private final int outputChannels;
  private final int[] widths;
  private final int upsample;

  private ConvDecoder(int outputChannels, int[] widths, int upsample) {
    this.outputChannels = outputChannels;
    this.widths = widths.clone();
    this.upsample = upsample;
  }

  /**
   * A small decoder to one channel, the mirror of {@code ConvEncoder.small}: upsample 2 → conv3x3
   * 64 → ReLU → upsample 2 → conv3x3 32 → ReLU → conv3x3 1 (a 7x7 map becomes 28x28x1).
   */
  public static ConvDecoder small() {
    return builder(1).build();
  }

  /**
   * @param outputChannels channels of the decoded image (1 for grey, 3 for RGB), &gt; 0
   */
  public static Builder builder(int outputChannels) {
    return new Builder(outputChannels);
  }

  /** Name of the (upsampling) convolution with ReLU of stage i (1-based). */
  public static String convVertex(int i) {
    return VertexNames.decoder("conv" + i);
  }

  @Override
  public String addTo(
      ComputationGraphConfiguration.GraphBuilder graph, String input, InputType inputType) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    long channels = featureMap(inputType).getChannels();
    String previous = input;
    for (int s = 1; s <= widths.length; s++) {
      ConvolutionLayer.Builder conv = upsample > 1
          ? new UpsamplingConvolution.Builder(3, 3).upsampling(upsample)
          : new SingleForwardConvolution.Builder(3, 3);
      graph.addLayer(
          convVertex(s),
          conv.stride(1, 1)
              .nIn(channels)
              .nOut(widths[s - 1])
              .convolutionMode(ConvolutionMode.Same)
              .activation(new ReluActivation())
              .build(),
          previous);
      channels = widths[s - 1];
      previous = convVertex(s);
    }
    graph.addLayer(
        OUTPUT,
        new SingleForwardConvolution.Builder(3, 3)
            .stride(1, 1)
            .nIn(channels)
            .nOut(outputChannels)
            .convolutionMode(ConvolutionMode.Same)
            .activation(Activation.IDENTITY)
            .build(),
        previous);
    return OUTPUT;
  }

  @Override
  public InputType outputType(InputType inputType) {
    InputType.InputTypeConvolutional in = featureMap(inputType);
    long scale = 1;
    for (int s = 0; s < widths.length; s++) {
      scale *= upsample;
    }
    return InputType.convolutional(in.getHeight() * scale, in.getWidth() * scale, outputChannels);
  }

  private static InputType.InputTypeConvolutional featureMap(InputType inputType) {
    Objects.requireNonNull(inputType, "inputType");
    if (inputType instanceof InputType.InputTypeConvolutional c) {
      return c;
    }
    throw new IllegalArgumentException(
        "ConvDecoder needs a convolutional feature map (shape [batch, channels, height, width]),"
            + " got " + inputType + "; use an encoder that keeps the spatial map, e.g."
            + " ConvEncoder.builder(h, w, c).globalPool(false), or MlpDecoder for vectors");
  }

  /** Channels of the decoded image. */
  public int outputChannels() {
    return outputChannels;
  }

  /** Channel widths of the hidden stages, input side first (a copy). */
  public int[] channelWidths() {
    return widths.clone();
  }

  /** Upsampling factor of every stage (1 = none). */
  public int upsample() {
    return upsample;
  }

  @Override
  public String toString() {
    return "ConvDecoder[channelWidths=" + Arrays.toString(widths) + ", upsample=" + upsample
        + ", outputChannels=" + outputChannels + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvDecoder d
        && outputChannels == d.outputChannels
        && upsample == d.upsample
        && Arrays.equals(widths, d.widths);
  }

  @Override
  public int hashCode() {
    return Objects.hash(outputChannels, upsample, Arrays.hashCode(widths));
  }

  /** Builder for {@link ConvDecoder}; {@link #build()} validates. */
  public static final class Builder {
    private final int outputChannels;
    private int[] widths = {64, 32};
    private int upsample = 2;

    private Builder(int outputChannels) {
      this.outputChannels = outputChannels;
    }

    /** Output channels of the hidden conv stages, input side first; default {@code [64, 32]}. */
    public Builder channelWidths(int... widths) {
      this.widths = Objects.requireNonNull(widths, "widths").clone();
      return this;
    }

    /** Nearest-neighbour upsampling factor before each hidden stage; default 2, 1 = none. */
    public Builder upsample(int factor) {
      this.upsample = factor;
      return this;
    }

    /** @throws IllegalArgumentException if a channel count or the upsampling factor is not positive */
    public ConvDecoder build() {
      if (outputChannels <= 0) {
        throw new IllegalArgumentException(
            "ConvDecoder outputChannels must be > 0, got " + outputChannels
                + "; pass the image's channel count, e.g. 1 for grey images");
      }
      for (int i = 0; i < widths.length; i++) {
        if (widths[i] <= 0) {
          throw new IllegalArgumentException(
              "ConvDecoder channel widths must all be > 0, got " + widths[i] + " at index " + i
                  + " of " + Arrays.toString(widths));
        }
      }
      if (upsample < 1 || upsample > 64) {
        throw new IllegalArgumentException(
            "ConvDecoder upsample factor must be in [1, 64], got " + upsample
                + "; use 2 to double height and width per stage, 1 to keep them");
      }
      return new ConvDecoder(outputChannels, widths, upsample);
    }
  }
}
