package io.github.ssl4j.core.train;

import java.nio.charset.StandardCharsets;

/**
 * Derives every random seed of a run from one seed, statelessly: {@code mix(seed, purpose,
 * counter)} is a fixed function, so any generator (the shuffle of epoch 3, the collator of step
 * 1234) can be recreated on resume without replaying the ones before it.
 */
public final class Seeds {
  private Seeds() {}

  /**
   * A well-mixed 64-bit seed for {@code (seed, purpose, counter)}.
   *
   * @param seed the run's seed
   * @param purpose what the generator is for, e.g. {@code "shuffle"}, {@code "prepare"}
   * @param counter epoch, step or other index
   */
  public static long mix(long seed, String purpose, long counter) {
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
