package io.github.ssl4j.core.encoders;

import io.github.ssl4j.core.TokenSequenceEncoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.LayerNormalization;
import io.github.ssl4j.core.layers.MultiHeadSelfAttention;
import io.github.ssl4j.core.layers.PositionEmbedding;
import io.github.ssl4j.core.layers.PositionwiseFeedForward;
import io.github.ssl4j.core.layers.SequenceDropout;
import io.github.ssl4j.core.layers.TokenEmbedding;
import io.github.ssl4j.core.text.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * A transformer encoder over token ids (BERT-style): token embedding + learned
 * position embedding → dropout → {@code blocks} × [multi-head self-attention, GELU feed-forward,
 * each with a residual connection, LayerNorm and dropout] → (pre-LN: a final LayerNorm). Input:
 * token ids {@code [batch, length]} padded with {@link Vocabulary#PAD}; ssl4j derives the padding
 * mask from the ids ({@link #paddingId()}), so attention ignores padding and the representation is
 * the mean over real tokens. Output: {@code [batch, width,
 * length]} (recurrent, NCW).
 *
 * <p>Pre-LN (default: {@code x + Attn(LN(x))}, {@code x + FFN(LN(x))}, final LN) or
 * post-LN (BERT's original: {@code LN(x + Attn(x))}, {@code LN(x + FFN(x))}). Every vertex is
 * named under {@code encoder/}: {@code tokens}, {@code positions}, {@code embedding_dropout},
 * {@code block<i>/norm1, attention, attention_dropout, residual1, norm2, feed_forward,
 * ffn_dropout, output} and {@code final_norm}. Immutable.
 *
 * <pre>{@code
 * TransformerEncoder enc = TransformerEncoder.tiny(vocabulary.size(), 64); // 2 blocks, d=128, 4 heads, FFN 512
 * }</pre>
 */
public final class TransformerEncoder implements TokenSequenceEncoder {
  private final int vocabSize;
  private final int length;
  private final int width;
  private final int heads;
  private final int feedForward;
  private final int blocks;
  private final double dropout;
  private final boolean preNorm;
  private final List<String> blockOutputs;

  private TransformerEncoder(Builder b) {
    this.vocabSize = b.vocabSize;
    this.length = b.length;
    this.width = b.width;
    this.heads = b.heads;
    this.feedForward = b.feedForward;
    this.blocks = b.blocks;
    this.dropout = b.dropout;
    this.preNorm = b.preNorm;
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= blocks; i++) {
      if (!preNorm) {
        names.add(block(i, "norm2"));
      } else {
        names.add(i == blocks ? VertexNames.encoder("final_norm") : block(i, "output"));
      }
    }
    this.blockOutputs = List.copyOf(names);
  }

  /**
   * A builder with the defaults of {@link #tiny}: width 128, 4 heads, feed-forward 512, 2 blocks,
   * dropout 0.1, pre-LN.
   *
   * @param vocabSize number of token ids, specials included (e.g. {@code vocabulary.size()})
   * @param length sequence length the encoder takes (e.g. {@link io.github.ssl4j.core.text.TokenWindows#DEFAULT_LENGTH})
   */
  public static Builder builder(int vocabSize, int length) {
    return new Builder(vocabSize, length);
  }

  /**
   * A tiny BERT-style encoder: 2 blocks, width 128, 4 heads of 32, feed-forward 512, dropout 0.1,
   * pre-LN. Depth, width and feed-forward are BERT-Tiny's (Turc et al. 2019, L=2, H=128); it
   * differs in 4 heads instead of 2 and in pre-LN instead of BERT's post-LN.
   *
   * @param vocabSize number of token ids, specials included (e.g. {@code vocabulary.size()})
   * @param length sequence length the encoder takes, &gt;= 1 (e.g. {@link
   *     io.github.ssl4j.core.text.TokenWindows#DEFAULT_LENGTH} = 64)
   */
  public static TransformerEncoder tiny(int vocabSize, int length) {
    return builder(vocabSize, length).build();
  }

  private static String block(int i, String local) {
    return VertexNames.encoder("block" + i + "/" + local);
  }

  @Override
  public InputType inputType() {
    return InputType.feedForward(length);
  }

  @Override
  public int paddingId() {
    return Vocabulary.PAD;
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(input, "input");
    String tokens = VertexNames.encoder("tokens");
    graph.addLayer(tokens, new TokenEmbedding(vocabSize, width, length), input);
    String positions = VertexNames.encoder("positions");
    graph.addLayer(positions, new PositionEmbedding(width, length), tokens);
    String h = dropout(graph, VertexNames.encoder("embedding_dropout"), positions);
    for (int i = 1; i <= blocks; i++) {
      h = addBlock(graph, i, h);
    }
    if (preNorm) {
      graph.addLayer(outputVertex(), new LayerNormalization(width), h);
      return outputVertex();
    }
    return h;
  }

  private String addBlock(ComputationGraphConfiguration.GraphBuilder graph, int i, String in) {
    String attention = block(i, "attention");
    String attentionDropout = block(i, "attention_dropout");
    String residual1 = block(i, "residual1");
    String ffn = block(i, "feed_forward");
    String ffnDropout = block(i, "ffn_dropout");
    String residual2 = block(i, "output");
    String norm1 = block(i, "norm1");
    String norm2 = block(i, "norm2");
    if (preNorm) {
      graph.addLayer(norm1, new LayerNormalization(width), in);
      graph.addLayer(attention, new MultiHeadSelfAttention(width, heads), norm1);
      String a = dropout(graph, attentionDropout, attention);
      graph.addVertex(residual1, new ElementWiseVertex(ElementWiseVertex.Op.Add), in, a);
      graph.addLayer(norm2, new LayerNormalization(width), residual1);
      graph.addLayer(ffn, new PositionwiseFeedForward(width, feedForward), norm2);
      String f = dropout(graph, ffnDropout, ffn);
      graph.addVertex(residual2, new ElementWiseVertex(ElementWiseVertex.Op.Add), residual1, f);
      return residual2;
    }
    graph.addLayer(attention, new MultiHeadSelfAttention(width, heads), in);
    String a = dropout(graph, attentionDropout, attention);
    graph.addVertex(residual1, new ElementWiseVertex(ElementWiseVertex.Op.Add), in, a);
    graph.addLayer(norm1, new LayerNormalization(width), residual1);
    graph.addLayer(ffn, new PositionwiseFeedForward(width, feedForward), norm1);
    String f = dropout(graph, ffnDropout, ffn);
    graph.addVertex(residual2, new ElementWiseVertex(ElementWiseVertex.Op.Add), norm1, f);
    graph.addLayer(norm2, new LayerNormalization(width), residual2);
    return norm2;
  }

  private String dropout(ComputationGraphConfiguration.GraphBuilder graph, String name, String in) {
    if (dropout == 0) {
      return in;
    }
    graph.addLayer(name, new SequenceDropout(dropout), in);
    return name;
  }

  @Override
  public InputType outputType() {
    return InputType.recurrent(width, length);
  }

  /**
   * The output vertex of each transformer block; for pre-LN the last one is the final LayerNorm
   * (so "the last block" includes it). For post-LN, block i's output is {@code block<i>/norm2}.
   */
  @Override
  public List<String> blockOutputs() {
    return blockOutputs;
  }

  /** Number of token ids the embedding covers. */
  public int vocabSize() {
    return vocabSize;
  }

  /** Sequence length. */
  public int length() {
    return length;
  }

  /** Model width d. */
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

  /** Dropout probability (embeddings and each residual branch). */
  public double dropout() {
    return dropout;
  }

  /** Whether LayerNorm comes before each sub-layer (pre-LN) or after the residual sum. */
  public boolean preNorm() {
    return preNorm;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TransformerEncoder t && t.vocabSize == vocabSize && t.length == length
        && t.width == width && t.heads == heads && t.feedForward == feedForward && t.blocks == blocks
        && t.dropout == dropout && t.preNorm == preNorm;
  }

  @Override
  public int hashCode() {
    return Objects.hash(vocabSize, length, width, heads, feedForward, blocks, dropout, preNorm);
  }

  @Override
  public String toString() {
    return "TransformerEncoder[vocab=" + vocabSize + ", length=" + length + ", width=" + width
        + ", heads=" + heads + ", feedForward=" + feedForward + ", blocks=" + blocks + ", dropout="
        + dropout + ", " + (preNorm ? "pre-LN" : "post-LN") + "]";
  }

  /** Builder of {@link TransformerEncoder}; defaults are those of {@link #tiny}. {@link #build()} validates. */
  public static final class Builder {
    private final int vocabSize;
    private final int length;
    private int width = 128;
    private int heads = 4;
    private int feedForward = 512;
    private int blocks = 2;
    private double dropout = 0.1;
    private boolean preNorm = true;

    private Builder(int vocabSize, int length) {
      this.vocabSize = vocabSize;
      this.length = length;
    }

    /** Model width d, &gt;= 1, divisible by the number of heads; default 128. */
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

    /** Number of transformer blocks, &gt;= 1; default 2. */
    public Builder blocks(int blocks) {
      this.blocks = blocks;
      return this;
    }

    /** Dropout probability in [0, 1); default 0.1. */
    public Builder dropout(double dropout) {
      this.dropout = dropout;
      return this;
    }

    /** Pre-LN (true, default) or post-LN (BERT's original). */
    public Builder preNorm(boolean preNorm) {
      this.preNorm = preNorm;
      return this;
    }

    /** @throws IllegalArgumentException naming the setting, its value and the allowed range */
    public TransformerEncoder build() {
      if (vocabSize <= Vocabulary.FIRST_REGULAR_ID) {
        throw new IllegalArgumentException("TransformerEncoder vocabSize must be > "
            + Vocabulary.FIRST_REGULAR_ID + " (the special tokens and at least one more), got " + vocabSize
            + "; pass vocabulary.size()");
      }
      if (length < 1) {
        throw new IllegalArgumentException("TransformerEncoder length must be >= 1, got " + length
            + "; pass the window length, e.g. TokenWindows.DEFAULT_LENGTH (64)");
      }
      if (width < 1 || heads < 1 || width % heads != 0) {
        throw new IllegalArgumentException("TransformerEncoder width must be a positive multiple of heads,"
            + " got width " + width + " and heads " + heads + "; e.g. width 128 with 4 heads");
      }
      if (feedForward < 1 || blocks < 1) {
        throw new IllegalArgumentException("TransformerEncoder feedForward and blocks must be >= 1, got "
            + feedForward + " and " + blocks);
      }
      if (!(dropout >= 0 && dropout < 1)) {
        throw new IllegalArgumentException("TransformerEncoder dropout must be in [0, 1), got " + dropout
            + "; BERT uses 0.1");
      }
      return new TransformerEncoder(this);
    }
  }
}
