package io.github.ssl4j.tasks.mae;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.encoders.TransformerBlocks;
import io.github.ssl4j.core.encoders.VisionTransformer;
import io.github.ssl4j.core.layers.LayerNormalization;
import io.github.ssl4j.core.layers.PositionEmbedding;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Masked autoencoder (MAE, He et al. 2022) on a {@link VisionTransformer}: each image's patches
 * are randomly split into K visible and N − K masked ones ({@link PatchMasking}, {@code K =
 * round(N · (1 − maskRatio))}); the encoder sees only the K visible tokens (with their position
 * embeddings); a light decoder takes the encoded tokens, puts them back at their patch positions,
 * fills the masked positions with a learnt mask token, adds decoder position embeddings, runs a few
 * narrow transformer blocks and predicts every patch's pixels; the loss ({@link MaskedPatchLoss}) is
 * the mean squared error on the masked patches only, against per-patch normalised pixels ({@link
 * PatchPixels#normalised}) by default.
 *
 * <p>Graph: inputs {@link VertexNames#INPUT} (images {@code [batch, c, h, w]}) and {@link
 * #VISIBLE_PATCHES} (visible patch indices {@code [batch, K]}); {@code encoder.addTokens} → {@link
 * #VISIBLE_TOKENS} ({@link VisiblePatchGather}) → {@code encoder.addBlocks}; decoder {@code
 * decoder/embed} (linear, encoder width → decoder width), {@code decoder/unshuffle} ({@link
 * PatchScatter}: zeros at masked positions), {@code decoder/positions}, {@code decoder/block<i>/…},
 * {@code decoder/final_norm}; loss {@link #LOSS_VERTEX}. The mask token is folded into the decoder's
 * learnt position embedding: MAE's decoder input is {@code Wx + b + pos_n} at a visible patch n
 * and {@code m + pos_n} at a masked one; here it is {@code Wx + c + P_n} and {@code P_n}, the
 * same functions with {@code P_n = pos_n + m} and {@code c = b − m}. The gather vertex is not an
 * encoder vertex with parameters, so the encoder cut out after pretraining ({@link
 * io.github.ssl4j.core.PretrainedEncoder#from}) sees all N patches.
 *
 * <p>Labels: the (normalised) pixels {@code [batch, P, N]} (P = c · patch²) with the labels mask
 * {@code [batch, N]} = 1 at the masked patches. Immutable.
 *
 * <pre>{@code
 * VisionTransformer vit = VisionTransformer.tiny(28, 28, 1, 4);
 * MaskedAutoencoderTask task = MaskedAutoencoderTask.mae(4); // ratio 0.75, normalised pixels
 * }</pre>
 */
public final class MaskedAutoencoderTask implements PretextTask {
  /** Task id stored in checkpoints and model metadata. */
  public static final String ID = "mae";
  /** Graph input holding the visible patch indices {@code [batch, K]}. */
  public static final String VISIBLE_PATCHES = "visible_patches";
  /** The vertex that keeps the visible tokens between the encoder's embeddings and its blocks. */
  public static final String VISIBLE_TOKENS = VertexNames.encoder("visible_tokens");
  /** Name of the loss vertex (pixel prediction and masked MSE). */
  public static final String LOSS_VERTEX = VertexNames.loss("pixels");

  private final int patchSize;
  private final double maskRatio;
  private final boolean normalisePixels;
  private final int decoderWidth;
  private final int decoderBlocks;
  private final int decoderHeads;
  private final int decoderFeedForward;

  private MaskedAutoencoderTask(Builder b) {
    this.patchSize = b.patchSize;
    this.maskRatio = b.maskRatio;
    this.normalisePixels = b.normalisePixels;
    this.decoderWidth = b.decoderWidth;
    this.decoderBlocks = b.decoderBlocks;
    this.decoderHeads = b.decoderHeads;
    this.decoderFeedForward = b.decoderFeedForward;
  }

  /**
   * MAE with the paper's masking ratio 0.75 and normalised-pixel targets, and a decoder of 2 blocks
   * of width 64 (4 heads, feed-forward 256).
   *
   * @param patchSize the encoder's patch side in pixels ({@link VisionTransformer#patchSize()})
   */
  public static MaskedAutoencoderTask mae(int patchSize) {
    return builder(patchSize).build();
  }

  /** A builder with the defaults of {@link #mae}. */
  public static Builder builder(int patchSize) {
    return new Builder(patchSize);
  }

  @Override
  public String id() {
    return ID;
  }

  /**
   * @throws IllegalArgumentException if {@code encoder} is not a {@link VisionTransformer} with this
   *     task's patch size, or the masking ratio leaves no patch visible or none masked
   */
  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoder, "encoder");
    if (!(encoder instanceof VisionTransformer vit)) {
      throw new IllegalArgumentException("MaskedAutoencoderTask needs a VisionTransformer encoder (it drops"
          + " masked patch tokens between the embeddings and the blocks), got " + encoder.describe()
          + "; use VisionTransformer.tiny(h, w, c, " + patchSize + ")");
    }
    if (vit.patchSize() != patchSize) {
      throw new IllegalArgumentException("MaskedAutoencoderTask has patch size " + patchSize
          + " but the VisionTransformer cuts " + vit.patchSize() + "-pixel patches; build both with the same size");
    }
    int n = vit.patches();
    int k = PatchMasking.visibleCount(n, maskRatio);
    int pixels = vit.channels() * patchSize * patchSize;
    if (normalisePixels && pixels < 2) {
      throw new IllegalArgumentException("MaskedAutoencoderTask cannot normalise patches of one pixel (patch"
          + " size 1, 1 channel); use a patch size >= 2 or normalisePixels(false)");
    }
    graph.addInputs(VertexNames.INPUT, VISIBLE_PATCHES)
        .setInputTypes(vit.inputType(), InputType.feedForward(k));
    String tokens = vit.addTokens(graph, VertexNames.INPUT);
    graph.addVertex(VISIBLE_TOKENS, new VisiblePatchGather(n), tokens, VISIBLE_PATCHES);
    String encoded = vit.addBlocks(graph, VISIBLE_TOKENS);
    String embed = VertexNames.decoder("embed");
    graph.addLayer(embed, new TimeDistributed(new DenseLayer.Builder().nIn(vit.width()).nOut(decoderWidth)
        .activation(Activation.IDENTITY).build(), RNNFormat.NCW), encoded);
    String unshuffle = VertexNames.decoder("unshuffle");
    graph.addVertex(unshuffle, new PatchScatter(n), embed, VISIBLE_PATCHES);
    String positions = VertexNames.decoder("positions");
    graph.addLayer(positions, new PositionEmbedding(decoderWidth, n), unshuffle);
    String h = positions;
    for (int i = 1; i <= decoderBlocks; i++) {
      h = TransformerBlocks.addPreNorm(graph, VertexNames.decoder("block" + i + "/"), decoderWidth,
          decoderHeads, decoderFeedForward, h);
    }
    String norm = VertexNames.decoder("final_norm");
    graph.addLayer(norm, new LayerNormalization(decoderWidth), h);
    graph.addLayer(LOSS_VERTEX, new MaskedPatchLoss(decoderWidth, pixels), norm);
    graph.setOutputs(LOSS_VERTEX);
  }

  /**
   * Draws each image's visible patches and makes the pixel targets.
   *
   * @param examples images {@code [batch, c, h, w]}, sides divisible by the patch size; not modified
   * @return features {images, visible indices [batch, K]}, labels {targets [batch, c · patch², N]},
   *     labels mask {[batch, N], 1 = masked}; no feature masks
   * @throws IllegalArgumentException if the images have another rank or the patch does not divide them
   */
  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(rng, "rng");
    if (examples.rank() != 4 || examples.size(0) < 1 || examples.size(2) % patchSize != 0
        || examples.size(3) % patchSize != 0) {
      throw new IllegalArgumentException("MaskedAutoencoderTask expects images [batch >= 1, c, h, w] with h"
          + " and w divisible by the patch size " + patchSize + " but got shape "
          + Arrays.toString(examples.shape()));
    }
    int n = Math.toIntExact((examples.size(2) / patchSize) * (examples.size(3) / patchSize));
    int k = PatchMasking.visibleCount(n, maskRatio);
    PatchMasking masking = PatchMasking.sample(Math.toIntExact(examples.size(0)), n, k,
        examples.dataType(), rng);
    INDArray pixels = PatchPixels.of(examples, patchSize);
    INDArray targets = normalisePixels ? PatchPixels.normalised(pixels) : pixels;
    return new org.nd4j.linalg.dataset.MultiDataSet(
        new INDArray[] {examples.dup(), masking.visible()}, new INDArray[] {targets}, null,
        new INDArray[] {masking.masked()});
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ID);
    m.put("patchSize", patchSize);
    m.put("maskRatio", maskRatio);
    m.put("normalisePixels", normalisePixels);
    m.put("decoderWidth", decoderWidth);
    m.put("decoderBlocks", decoderBlocks);
    m.put("decoderHeads", decoderHeads);
    m.put("decoderFeedForward", decoderFeedForward);
    return m;
  }

  /** Patch side in pixels. */
  public int patchSize() {
    return patchSize;
  }

  /** Fraction of patches masked (before rounding the visible count). */
  public double maskRatio() {
    return maskRatio;
  }

  /** Whether the targets are per-patch normalised pixels. */
  public boolean normalisePixels() {
    return normalisePixels;
  }

  @Override
  public String toString() {
    return "MaskedAutoencoderTask" + config();
  }

  /** Builder of {@link MaskedAutoencoderTask}; {@link #build()} validates. */
  public static final class Builder {
    private final int patchSize;
    private double maskRatio = 0.75;
    private boolean normalisePixels = true;
    private int decoderWidth = 64;
    private int decoderBlocks = 2;
    private int decoderHeads = 4;
    private int decoderFeedForward = 256;

    private Builder(int patchSize) {
      this.patchSize = patchSize;
    }

    /** Fraction of each image's patches masked, in (0, 1); default 0.75 (MAE's). */
    public Builder maskRatio(double maskRatio) {
      this.maskRatio = maskRatio;
      return this;
    }

    /** Per-patch normalised pixel targets (default true, MAE's {@code norm_pix_loss}) or raw pixels. */
    public Builder normalisePixels(boolean normalisePixels) {
      this.normalisePixels = normalisePixels;
      return this;
    }

    /** Decoder token width, a positive multiple of the decoder heads; default 64. */
    public Builder decoderWidth(int decoderWidth) {
      this.decoderWidth = decoderWidth;
      return this;
    }

    /** Decoder transformer blocks, &gt;= 1; default 2. */
    public Builder decoderBlocks(int decoderBlocks) {
      this.decoderBlocks = decoderBlocks;
      return this;
    }

    /** Decoder attention heads, &gt;= 1; default 4. */
    public Builder decoderHeads(int decoderHeads) {
      this.decoderHeads = decoderHeads;
      return this;
    }

    /** Decoder feed-forward hidden width, &gt;= 1; default 256. */
    public Builder decoderFeedForward(int decoderFeedForward) {
      this.decoderFeedForward = decoderFeedForward;
      return this;
    }

    /** @throws IllegalArgumentException naming the setting, its value and what is allowed */
    public MaskedAutoencoderTask build() {
      if (patchSize < 1) {
        throw new IllegalArgumentException("MaskedAutoencoderTask patch size must be >= 1, got " + patchSize
            + "; pass the VisionTransformer's patchSize()");
      }
      if (!(maskRatio > 0 && maskRatio < 1)) {
        throw new IllegalArgumentException("MaskedAutoencoderTask maskRatio must be in (0, 1), got "
            + maskRatio + "; MAE uses 0.75");
      }
      if (decoderWidth < 1 || decoderHeads < 1 || decoderWidth % decoderHeads != 0) {
        throw new IllegalArgumentException("MaskedAutoencoderTask decoderWidth must be a positive multiple"
            + " of decoderHeads, got " + decoderWidth + " and " + decoderHeads + "; e.g. 64 and 4");
      }
      if (decoderBlocks < 1 || decoderFeedForward < 1) {
        throw new IllegalArgumentException("MaskedAutoencoderTask decoderBlocks and decoderFeedForward must be"
            + " >= 1, got " + decoderBlocks + " and " + decoderFeedForward);
      }
      return new MaskedAutoencoderTask(this);
    }
  }
}
