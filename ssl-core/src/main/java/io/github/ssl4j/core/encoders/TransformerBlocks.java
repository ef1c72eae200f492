package io.github.ssl4j.core.encoders;

import io.github.ssl4j.core.layers.LayerNormalization;
import io.github.ssl4j.core.layers.MultiHeadSelfAttention;
import io.github.ssl4j.core.layers.PositionwiseFeedForward;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;

/**
 * Adds pre-LN transformer blocks (ViT's and GPT-2's layout, no dropout) to a graph: {@code x +
 * Attn(LN(x))}, then {@code x + FFN(LN(x))}, over sequences {@code [batch, width, T]} (NCW) of any
 * length. Built from {@link LayerNormalization}, {@link MultiHeadSelfAttention} and {@link
 * PositionwiseFeedForward} (GELU). Block vertices are named {@code <prefix>norm1}, {@code
 * attention}, {@code residual1}, {@code norm2}, {@code feed_forward} and {@code output}. Used by
 * {@link VisionTransformer} and by decoders made of the same blocks.
 */
public final class TransformerBlocks {
  private TransformerBlocks() {}

  /**
   * Adds one pre-LN block after {@code in}.
   *
   * @param prefix vertex name prefix of this block, e.g. {@code "encoder/block1/"}
   * @param width model width d of the sequence, divisible by {@code heads}
   * @param heads attention heads, &gt;= 1
   * @param feedForward hidden width of the feed-forward network, &gt;= 1
   * @return the block's output vertex, {@code <prefix>output}
   * @throws IllegalArgumentException if a size is out of range (from the layers)
   */
  public static String addPreNorm(ComputationGraphConfiguration.GraphBuilder graph, String prefix,
      int width, int heads, int feedForward, String in) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(in, "in");
    String norm1 = prefix + "norm1";
    String attention = prefix + "attention";
    String residual1 = prefix + "residual1";
    String norm2 = prefix + "norm2";
    String ffn = prefix + "feed_forward";
    String output = prefix + "output";
    graph.addLayer(norm1, new LayerNormalization(width), in);
    graph.addLayer(attention, new MultiHeadSelfAttention(width, heads), norm1);
    graph.addVertex(residual1, new ElementWiseVertex(ElementWiseVertex.Op.Add), in, attention);
    graph.addLayer(norm2, new LayerNormalization(width), residual1);
    graph.addLayer(ffn, new PositionwiseFeedForward(width, feedForward), norm2);
    graph.addVertex(output, new ElementWiseVertex(ElementWiseVertex.Op.Add), residual1, ffn);
    return output;
  }
}
