package io.github.ssl4j.core.finetune;

/**
 * Which encoder parameters a fine-tune trains.
 *
 * <ul>
 *   <li>{@link #LINEAR_PROBE}: the encoder is frozen; representations are computed once for all
 *       examples and only the downstream head is trained on them (fast: one forward pass over the
 *       data).
 *   <li>{@link #FULL}: encoder and head are trained end to end.
 *   <li>{@link #partial(int) partial(n)}: the last {@code n} encoder blocks (see {@link
 *       io.github.ssl4j.core.Encoder#blockOutputs()}) and the head are trained; everything up to
 *       the block before them is frozen, BatchNorm statistics included.
 * </ul>
 */
public sealed interface FineTuneMode
    permits FineTuneMode.LinearProbe, FineTuneMode.Full, FineTuneMode.Partial {

  /** Frozen encoder, head trained on representations computed once. */
  FineTuneMode LINEAR_PROBE = new LinearProbe();

  /** Everything trained. */
  FineTuneMode FULL = new Full();

  /**
   * The last {@code unfrozenBlocks} encoder blocks and the head are trained.
   *
   * @param unfrozenBlocks in [0, number of encoder blocks]; 0 freezes the whole encoder (but, unlike
   *     {@link #LINEAR_PROBE}, runs it at every step), all blocks is the same as {@link #FULL}
   * @throws IllegalArgumentException if negative
   */
  static FineTuneMode partial(int unfrozenBlocks) {
    return new Partial(unfrozenBlocks);
  }

  /** See {@link FineTuneMode#LINEAR_PROBE}. */
  record LinearProbe() implements FineTuneMode {}

  /** See {@link FineTuneMode#FULL}. */
  record Full() implements FineTuneMode {}

  /**
   * See {@link FineTuneMode#partial(int)}.
   *
   * @param unfrozenBlocks number of trailing encoder blocks to train, &gt;= 0
   */
  record Partial(int unfrozenBlocks) implements FineTuneMode {
    public Partial {
      if (unfrozenBlocks < 0) {
        throw new IllegalArgumentException(
            "FineTuneMode.partial(n) needs n >= 0 trailing blocks to unfreeze, got " + unfrozenBlocks
                + "; use partial(0) to freeze the whole encoder or FULL to train all of it");
      }
    }
  }
}
