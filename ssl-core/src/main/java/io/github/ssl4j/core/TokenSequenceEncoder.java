package io.github.ssl4j.core;

import java.util.OptionalInt;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An {@link Encoder} of padded token-id sequences: input shape {@code [batch, length]}, one id per
 * position, short sequences filled with {@link #paddingId()}. ssl4j passes DL4J a features mask
 * with every batch of such an encoder (1 where the id differs from the padding id, 0 at padding), so
 * attention, pooling and losses skip the padding; {@link #inputMask} computes it. Callers that feed
 * batches check {@code encoder instanceof TokenSequenceEncoder}; other encoders get no mask.
 */
public interface TokenSequenceEncoder extends Encoder {

  /** The id that pads short sequences, e.g. {@code Vocabulary.PAD}. */
  int paddingId();

  /**
   * The features mask for a batch of token ids.
   *
   * @param ids shape [batch, length]
   * @return shape [batch, length], FLOAT for integer ids (else the ids' type): 1 at real tokens, 0 at
   *     {@link #paddingId()}
   */
  default INDArray inputMask(INDArray ids) {
    return InputMasks.paddingMask(ids, OptionalInt.of(paddingId()));
  }

  /**
   * The padding id of {@code encoder} if it is a {@link TokenSequenceEncoder}, else empty.
   *
   * @param encoder any encoder
   */
  static OptionalInt paddingIdOf(Encoder encoder) {
    return encoder instanceof TokenSequenceEncoder t ? OptionalInt.of(t.paddingId()) : OptionalInt.empty();
  }
}
