package io.github.ssl4j.core.train;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Derives every random seed of a run from one seed, statelessly: {@code mix(seed, purpose,
 * counter)} is a fixed function, so any generator (the shuffle of epoch 3, the collator of step
 * 1234) can be recreated on resume without replaying the ones before it.
 */
public final class Seeds {
  /**
   * The default seed of every ssl4j builder that takes one ({@code TrainingConfig}, {@code
   * LinearProbe}, {@code FineTuneAdapter}, {@code WindowedCorpus}, ...): 42.
   */
  public static final long DEFAULT = 42L;

  /**
   * What {@link #forNd4j} passes to ND4J instead of 0 (an arbitrary fixed value; the golden-ratio
   * constant SplitMix64 also uses).
   */
  public static final long ND4J_ZERO_SEED = 0x9E3779B97F4A7C15L;

  private Seeds() {}

  /**
   * The seed to give ND4J or a DL4J configuration for a user's {@code seed}: {@code seed} itself,
   * except 0, which becomes {@link #ND4J_ZERO_SEED}.
   *
   * <p>Why: ND4J 1.0.0-M2.1's native generator treats root seed 0 as "seed from the clock", so
   * {@code Nd4j.getRandom().setSeed(0)} and a DL4J network built with {@code .seed(0)} draw
   * different initial weights in every call (docs/development/dl4j-workarounds.md, B8). Every place where
   * ssl4j hands a caller's seed to ND4J goes through this method, so seed 0 is as reproducible as
   * any other.
   */
  public static long forNd4j(long seed) {
    return seed != 0 ? seed : ND4J_ZERO_SEED;
  }

  /**
   * A well-mixed 64-bit seed for {@code (seed, purpose, counter)}.
   *
   * @param seed the run's seed
   * @param purpose what the generator is for, e.g. {@code "shuffle"}, {@code "prepare"}
   * @param counter epoch, step or other index
   */
  public static long mix(long seed, String purpose, long counter) {
    Objects.requireNonNull(purpose, "purpose");
    long h = splitMix(seed ^ 0x9E3779B97F4A7C15L);
    for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
      h = splitMix(h ^ (b & 0xFF));
    }
    return splitMix(h ^ splitMix(counter + 0x632BE59BD9B4E019L));
  }

  private static long splitMix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
