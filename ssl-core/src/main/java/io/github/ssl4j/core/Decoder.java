package io.github.ssl4j.core;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * Maps an encoder output back to a target space (pixels, tokens, frames). Adds vertices named with
 * prefix {@link VertexNames#DECODER}; the pretext task attaches the loss layer after it.
 * Implementations are immutable.
 */
public interface Decoder {

  /**
   * Adds this decoder's vertices after {@code input}.
   *
   * @param inputType type of {@code input} (the encoder output type)
   * @return name of the decoder's output vertex (pre-loss activations in the target space)
   * @throws IllegalArgumentException if {@code inputType} cannot be decoded by this decoder
   */
  String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input, InputType inputType);

  /**
   * The type this decoder produces for a given input type.
   *
   * @throws IllegalArgumentException if {@code inputType} cannot be decoded by this decoder
   */
  InputType outputType(InputType inputType);

  /** Human-readable description stored in model metadata. */
  default String describe() {
    return toString();
  }
}
