package io.github.ssl4j.core.encoders;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.BatchNormRelu;
import io.github.ssl4j.core.layers.InputGradients;
import io.github.ssl4j.core.layers.SingleForwardConvolution;
import io.github.ssl4j.core.layers.SingleForwardPooling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;

/**
 * A small CNN for small images: for each channel width but the last, conv3x3 (same padding) → batch
 * norm → ReLU → max-pool 2x2 (stride 2); then conv3x3 → batch norm → ReLU for the last width,
 * optionally followed by global average pooling.
 *
 * <p>Input shape [batch, channels, height, width] (NCHW). With {@code globalPool(true)} (default)
 * the output is feed-forward, shape [batch, last width]; with {@code globalPool(false)} it is the
 * last ReLU feature map, shape [batch, last width, height / 2^(stages-1), width / 2^(stages-1)]
 * (7x7x128 for 28x28 input and the default widths).
 *
 * <p>Vertices of stage i (1-based): {@code encoder/conv<i>}, {@code encoder/bn<i>} (batch norm and
 * ReLU in one {@link BatchNormRelu} layer), {@code encoder/pool<i>} (not in the last stage), and
 * {@code encoder/gap} when pooling globally. One block per stage; its output is {@code pool<i>},
 * and for the last stage {@code gap} (or {@code bn<n>} without global pooling). When the encoder
 * is added on a network input, its first convolution computes no gradient for that input (see
 * {@link SingleForwardConvolution.Builder#inputGradient}); added after other vertices, it does.
 *
 * <pre>{@code
 * Encoder enc = ConvEncoder.small(28, 28, 1);                             // 28x28x1 -> 128
 * Encoder map = ConvEncoder.builder(28, 28, 2).globalPool(false).build(); // -> 7x7x128 map
 * }</pre>
 */
public final class ConvEncoder implements Encoder {
  /** Vertex name of the global average pooling layer. */
  public static final String GLOBAL_POOL = VertexNames.encoder("gap");

  private final int height;
  private final int width;
  private final int channels;
  private final int[] widths;
  private final boolean globalPool;
  private final List<String> blocks;

  private ConvEncoder(int height, int width, int channels, int[] widths, boolean globalPool) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.widths = widths.clone();
    this.globalPool = globalPool;
    List<String> names = new ArrayList<>();
    for (int i = 1; i < widths.length; i++) {
      names.add(VertexNames.encoder("pool" + i));
    }
    names.add(globalPool ? GLOBAL_POOL : VertexNames.encoder("bn" + widths.length));
    this.blocks = List.copyOf(names);
  }

  /**
   * The small CNN with its default widths: conv3x3 32 → BN → ReLU → max-pool, conv3x3 64 → BN →
   * ReLU → max-pool, conv3x3 128 → BN → ReLU, global average pooling → a 128-d representation
   * (about 93k parameters on one input channel). For 28x28 grey images: {@code small(28, 28, 1)}.
   *
   * @param height input height in pixels, &gt; 0
   * @param width input width in pixels, &gt; 0
   * @param channels input channels, &gt; 0
   */
  public static ConvEncoder small(int height, int width, int channels) {
    return builder(height, width, channels).build();
  }

  /**
   * Starts a builder for inputs of shape [batch, channels, height, width].
   *
   * @param height input height in pixels, &gt; 0
   * @param width input width in pixels, &gt; 0
   * @param channels input channels, &gt; 0
   */
  public static Builder builder(int height, int width, int channels) {
    return new Builder(height, width, channels);
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
    for (int s = 1; s <= widths.length; s++) {
      String conv = VertexNames.encoder("conv" + s);
      String bn = VertexNames.encoder("bn" + s);
      // the gradient for a network input is thrown away: the first convolution does not compute it
      boolean inputGradient = s > 1 || InputGradients.needed(graph, input);
      graph.addLayer(
          conv,
          new SingleForwardConvolution.Builder(3, 3)
              .inputGradient(inputGradient)
              .stride(1, 1)
              .nOut(widths[s - 1])
              .convolutionMode(ConvolutionMode.Same)
              .activation(Activation.IDENTITY)
              .build(),
          previous);
      graph.addLayer(bn, new BatchNormRelu(), conv);
      previous = bn;
      if (s < widths.length) {
        String pool = VertexNames.encoder("pool" + s);
        graph.addLayer(
            pool,
            new SingleForwardPooling.Builder(PoolingType.MAX)
                .kernelSize(2, 2)
                .stride(2, 2)
                .convolutionMode(ConvolutionMode.Truncate)
                .build(),
            previous);
        previous = pool;
      }
    }
    if (globalPool) {
      graph.addLayer(GLOBAL_POOL, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), previous);
      previous = GLOBAL_POOL;
    }
    return previous;
  }

  /**
   * Feed-forward of the last width with global pooling, else convolutional (height and width halved
   * once per pooled stage, channels = last width).
   */
  @Override
  public InputType outputType() {
    int last = widths[widths.length - 1];
    if (globalPool) {
      return InputType.feedForward(last);
    }
    return InputType.convolutional(pooled(height), pooled(width), last);
  }

  private int pooled(int size) {
    return size >> (widths.length - 1);
  }

  @Override
  public List<String> blockOutputs() {
    return blocks;
  }

  /** Channel widths of the conv stages, input to output (a copy). */
  public int[] channelWidths() {
    return widths.clone();
  }

  /** Whether the output is globally average-pooled to a vector. */
  public boolean globalPool() {
    return globalPool;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvEncoder c
        && c.height == height
        && c.width == width
        && c.channels == channels
        && Arrays.equals(c.widths, widths)
        && c.globalPool == globalPool;
  }

  @Override
  public int hashCode() {
    return Objects.hash(height, width, channels, Arrays.hashCode(widths), globalPool);
  }

  @Override
  public String toString() {
    return "ConvEncoder[input=" + height + "x" + width + "x" + channels + ", channelWidths="
        + Arrays.toString(widths) + ", globalPool=" + globalPool + "]";
  }

  /** Builder for {@link ConvEncoder}; {@link #build()} validates. */
  public static final class Builder {
    private final int height;
    private final int width;
    private final int channels;
    private int[] widths = {32, 64, 128};
    private boolean globalPool = true;

    private Builder(int height, int width, int channels) {
      this.height = height;
      this.width = width;
      this.channels = channels;
    }

    /**
     * Output channels of each conv stage; every stage but the last ends with 2x2 max pooling.
     * Default {@code [32, 64, 128]}.
     */
    public Builder channelWidths(int... widths) {
      this.widths = Objects.requireNonNull(widths, "widths").clone();
      return this;
    }

    /**
     * {@code true} (default): output the global average pool, a vector of the last width. {@code
     * false}: output the last ReLU feature map (for decoders that need spatial structure).
     */
    public Builder globalPool(boolean globalPool) {
      this.globalPool = globalPool;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a size or width is not positive, no width is given, or
     *     the input is too small for the number of pooling stages
     */
    public ConvEncoder build() {
      if (height <= 0 || width <= 0 || channels <= 0) {
        throw new IllegalArgumentException(
            "ConvEncoder input height, width and channels must be > 0, got " + height + "x" + width
                + "x" + channels + "; pass the image shape, e.g. ConvEncoder.builder(28, 28, 1)");
      }
      if (widths.length == 0) {
        throw new IllegalArgumentException(
            "ConvEncoder needs at least one channel width, got none; call channelWidths(e.g. 32, 64, 128)");
      }
      for (int i = 0; i < widths.length; i++) {
        if (widths[i] <= 0) {
          throw new IllegalArgumentException(
              "ConvEncoder channel width at index " + i + " must be > 0, got " + widths[i] + " in "
                  + Arrays.toString(widths) + "; use positive channel counts");
        }
      }
      int pools = widths.length - 1;
      if (pools >= 31 || (height >> pools) < 1 || (width >> pools) < 1) {
        throw new IllegalArgumentException(
            "ConvEncoder input " + height + "x" + width + " is too small for " + widths.length
                + " stages (" + pools + " 2x2 poolings need height and width >= " + (1L << Math.min(pools, 62))
                + "); use fewer channel widths or a larger input");
      }
      return new ConvEncoder(height, width, channels, widths, globalPool);
    }
  }
}
