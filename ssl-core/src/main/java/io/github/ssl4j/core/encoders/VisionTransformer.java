package io.github.ssl4j.core.encoders;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.FeatureMapToSequence;
import io.github.ssl4j.core.layers.InputGradients;
import io.github.ssl4j.core.layers.LayerNormalization;
import io.github.ssl4j.core.layers.PositionEmbedding;
import io.github.ssl4j.core.layers.SingleForwardConvolution;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.activations.Activation;

/**
 * A Vision Transformer (ViT, Dosovitskiy et al. 2021) for small images: the image {@code [batch,
 * channels, height, width]} (NCHW) is cut into non-overlapping {@code patch x patch} patches, each
 * linearly embedded (a convolution with kernel = stride = patch), a learnt position embedding is
 * added, then {@code blocks} pre-LN transformer blocks ({@link TransformerBlocks}: multi-head
 * self-attention and a GELU feed-forward network, each with a residual connection) and a final
 * LayerNorm. Output: the token sequence {@code [batch, width, N]} (NCW, recurrent), {@code N =
 * (height / patch) * (width / patch)} tokens in row-major patch order. There is no class token: the
 * representation is the mean over the tokens (the global average pool {@link
 * io.github.ssl4j.core.Representations} adds for a sequence output), which the MAE paper reports
 * to work as well as a class token.
 *
 * <p>Vertices, all under {@code encoder/}: {@code patches} (the patch embedding), {@code tokens}
 * (the patch grid read as a sequence), {@code positions} (+ position embedding), {@code
 * block<i>/norm1, attention, residual1, norm2, feed_forward, output} and {@code final_norm}. The
 * block outputs are {@code block<i>/output} and, for the last block, {@code final_norm}.
 *
 * <p>Masked-token methods (MAE) call {@link #addTokens} and {@link #addBlocks} separately and drop
 * tokens between the two: the blocks accept sequences of any length up to N, and the graph {@link
 * #addTo} builds (all N tokens) has the same vertices and parameters apart from the dropping vertex,
 * so an encoder pretrained that way is cut out and used on whole images unchanged. No dropout.
 * Immutable.
 *
 * <pre>{@code
 * VisionTransformer vit = VisionTransformer.tiny(28, 28, 1, 4); // 49 tokens of width 128, 4 blocks
 * }</pre>
 */
public final class VisionTransformer implements Encoder {
  /** Vertex name of the patch embedding (a convolution with kernel = stride = patch size). */
  public static final String PATCHES = VertexNames.encoder("patches");
  /** Vertex name of the patch grid read as a token sequence {@code [batch, width, N]}. */
  public static final String TOKENS = VertexNames.encoder("tokens");
  /** Vertex name of the tokens plus their position embeddings: what {@link #addTokens} returns. */
  public static final String POSITIONS = VertexNames.encoder("positions");
  /** Vertex name of the final LayerNorm, the encoder output. */
  public static final String FINAL_NORM = VertexNames.encoder("final_norm");

  private final int height;
  private final int imageWidth;
  private final int channels;
  private final int patch;
  private final int width;
  private final int heads;
  private final int feedForward;
  private final int blocks;
  private final List<String> blockOutputs;

  private VisionTransformer(Builder b) {
    this.height = b.height;
    this.imageWidth = b.imageWidth;
    this.channels = b.channels;
    this.patch = b.patch;
    this.width = b.width;
    this.heads = b.heads;
    this.feedForward = b.feedForward;
    this.blocks = b.blocks;
    List<String> names = new ArrayList<>();
    for (int i = 1; i < blocks; i++) {
      names.add(block(i) + "output");
    }
    names.add(FINAL_NORM);
    this.blockOutputs = List.copyOf(names);
  }

  /**
   * A builder with the defaults of {@link #tiny}: width 128, 4 heads, feed-forward 512, 4 blocks.
   *
   * @param height image height in pixels, divisible by {@code patch}
   * @param width image width in pixels, divisible by {@code patch}
   * @param channels image channels, &gt;= 1
   * @param patch patch side in pixels, &gt;= 1
   */
  public static Builder builder(int height, int width, int channels, int patch) {
    return new Builder(height, width, channels, patch);
  }

  /**
   * A tiny ViT for small images on a CPU: width 128, 4 blocks, 4 heads of 32, feed-forward 512
   * (ViT's ratio 4), pre-LN, no class token, no dropout (about 0.8 M parameters). ViT-Tiny (DeiT)
   * has width 192, 12 blocks and 3 heads; this one is shallower and narrower to train on two
   * cores. For 28x28 grey images {@code tiny(28, 28, 1, 4)} gives 7x7 = 49 tokens; for 32x32
   * colour images {@code tiny(32, 32, 3, 4)} gives 64.
   *
   * @throws IllegalArgumentException if {@code patch} does not divide both image sides or a size is
   *     not positive
   */
  public static VisionTransformer tiny(int height, int width, int channels, int patch) {
    return builder(height, width, channels, patch).build();
  }

  private static String block(int i) {
    return VertexNames.encoder("block" + i + "/");
  }

  @Override
  public InputType inputType() {
    return InputType.convolutional(height, imageWidth, channels);
  }

  /**
   * Adds the whole encoder: {@code addBlocks(graph, addTokens(graph, input))}.
   *
   * @return {@link #FINAL_NORM}
   */
  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    return addBlocks(graph, addTokens(graph, input));
  }

  /**
   * Adds the patch embedding and the position embedding after {@code input} (images of {@link
   * #inputType()}).
   *
   * @return {@link #POSITIONS}, whose activations are {@code [batch, width, N]}
   */
  public String addTokens(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    graph.addLayer(PATCHES, new SingleForwardConvolution.Builder(patch, patch)
        .inputGradient(InputGradients.needed(graph, input))
        .stride(patch, patch)
        .nOut(width)
        .convolutionMode(ConvolutionMode.Truncate)
        .activation(Activation.IDENTITY)
        .build(), input);
    graph.addVertex(TOKENS, new FeatureMapToSequence(), PATCHES);
    graph.addLayer(POSITIONS, new PositionEmbedding(width, patches()), TOKENS);
    return POSITIONS;
  }

  /**
   * Adds the transformer blocks and the final LayerNorm after {@code tokens}: a vertex whose
   * activations are {@code [batch, width, T]} for any {@code T <= N} (all tokens from {@link
   * #addTokens}, or a subset of them).
   *
   * @return {@link #FINAL_NORM}
   */
  public String addBlocks(ComputationGraphConfiguration.GraphBuilder graph, String tokens) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(tokens, "tokens");
    String h = tokens;
    for (int i = 1; i <= blocks; i++) {
      h = TransformerBlocks.addPreNorm(graph, block(i), width, heads, feedForward, h);
    }
    graph.addLayer(FINAL_NORM, new LayerNormalization(width), h);
    return FINAL_NORM;
  }

  /** {@code recurrent(width, N)}: one token of width {@link #width()} per patch. */
  @Override
  public InputType outputType() {
    return InputType.recurrent(width, patches());
  }

  @Override
  public List<String> blockOutputs() {
    return blockOutputs;
  }

  /** Number of patches (tokens) N = (height / patch) * (width / patch). */
  public int patches() {
    return (height / patch) * (imageWidth / patch);
  }

  /** Image height in pixels. */
  public int imageHeight() {
    return height;
  }

  /** Image width in pixels. */
  public int imageWidth() {
    return imageWidth;
  }

  /** Image channels. */
  public int channels() {
    return channels;
  }

  /** Patch side in pixels. */
  public int patchSize() {
    return patch;
  }

  /** Token (model) width d. */
  public int width() {
    return width;
  }

  /** Attention heads per block. */
  public int heads() {
    return heads;
  }

  /** Hidden width of the feed-forward networks. */
  public int feedForward() {
    return feedForward;
  }

  /** Number of transformer blocks. */
  public int blocks() {
    return blocks;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VisionTransformer v && v.height == height && v.imageWidth == imageWidth
        && v.channels == channels && v.patch == patch && v.width == width && v.heads == heads
        && v.feedForward == feedForward && v.blocks == blocks;
  }

  @Override
  public int hashCode() {
    return Objects.hash(height, imageWidth, channels, patch, width, heads, feedForward, blocks);
  }

  @Override
  public String toString() {
    return "VisionTransformer[input=" + height + "x" + imageWidth + "x" + channels + ", patch=" + patch
        + ", width=" + width + ", heads=" + heads + ", feedForward=" + feedForward + ", blocks="
        + blocks + "]";
  }

  /** Builder of {@link VisionTransformer}; defaults are those of {@link #tiny}. {@link #build()} validates. */
  public static final class Builder {
    private final int height;
    private final int imageWidth;
    private final int channels;
    private final int patch;
    private int width = 128;
    private int heads = 4;
    private int feedForward = 512;
    private int blocks = 4;

    private Builder(int height, int imageWidth, int channels, int patch) {
      this.height = height;
      this.imageWidth = imageWidth;
      this.channels = channels;
      this.patch = patch;
    }

    /** Token width d, a positive multiple of the number of heads; default 128. */
    public Builder width(int width) {
      this.width = width;
      return this;
    }

    /** Attention heads, &gt;= 1; default 4. */
    public Builder heads(int heads) {
      this.heads = heads;
      return this;
    }

    /** Feed-forward hidden width, &gt;= 1; default 512. */
    public Builder feedForward(int feedForward) {
      this.feedForward = feedForward;
      return this;
    }

    /** Number of transformer blocks, &gt;= 1; default 4. */
    public Builder blocks(int blocks) {
      this.blocks = blocks;
      return this;
    }

    /** @throws IllegalArgumentException naming the setting, its value and what is allowed */
    public VisionTransformer build() {
      if (height < 1 || imageWidth < 1 || channels < 1 || patch < 1) {
        throw new IllegalArgumentException("VisionTransformer image height, width, channels and patch size"
            + " must be >= 1, got " + height + "x" + imageWidth + "x" + channels + " with patch " + patch
            + "; e.g. VisionTransformer.tiny(28, 28, 1, 4)");
      }
      if (height % patch != 0 || imageWidth % patch != 0) {
        throw new IllegalArgumentException("VisionTransformer patch size " + patch
            + " does not divide the " + height + "x" + imageWidth
            + " image; use a patch size that divides both sides (e.g. 4 or 7 for 28x28)");
      }
      if (width < 1 || heads < 1 || width % heads != 0) {
        throw new IllegalArgumentException("VisionTransformer width must be a positive multiple of heads,"
            + " got width " + width + " and heads " + heads + "; e.g. width 128 with 4 heads");
      }
      if (feedForward < 1 || blocks < 1) {
        throw new IllegalArgumentException("VisionTransformer feedForward and blocks must be >= 1, got "
            + feedForward + " and " + blocks);
      }
      return new VisionTransformer(this);
    }
  }
}
