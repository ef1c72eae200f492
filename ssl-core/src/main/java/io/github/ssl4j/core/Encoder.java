package io.github.ssl4j.core;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * The part of a network that turns raw examples into a representation. An encoder adds its own,
 * stably named vertices (prefix {@link VertexNames#ENCODER}) to a DL4J graph after a given input.
 *
 * <p>Implementations are immutable and hold no randomness. The representation is the encoder output
 * when {@link #outputType()} is feed-forward, else the global average pool of it (see {@link
 * Representations}). Encoders of padded token ids implement {@link TokenSequenceEncoder}.
 *
 * <pre>{@code
 * Encoder enc = ConvEncoder.small(28, 28, 1);            // 28x28x1 -> 128
 * String out = enc.addTo(graphBuilder, "input");
 * }</pre>
 */
public interface Encoder {

  /** The input this encoder accepts, e.g. {@code InputType.convolutional(28, 28, 1)}. */
  InputType inputType();

  /**
   * Adds this encoder's vertices after {@code input}.
   *
   * @param graph the builder to add to; its input types must already be set
   * @param input name of the vertex (or graph input) feeding the encoder; its type must equal {@link
   *     #inputType()}
   * @return the name of the encoder's output vertex (equal to the last of {@link #blockOutputs()})
   */
  String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input);

  /** The type of the output vertex: feed-forward (vector), convolutional (feature map) or recurrent. */
  InputType outputType();

  /**
   * Output vertex of each block, in order from input to output; the last is the encoder output.
   * Partial fine-tuning unfreezes the last n blocks by these names.
   */
  List<String> blockOutputs();

  /** Name of the encoder's output vertex. */
  default String outputVertex() {
    List<String> blocks = blockOutputs();
    return blocks.get(blocks.size() - 1);
  }

  /** Size of the representation vector: nOut for feed-forward output, channels/size otherwise. */
  default int representationSize() {
    return Representations.size(outputType());
  }

  /** Human-readable description stored in model metadata; records give a good one for free. */
  default String describe() {
    return toString();
  }
}
