package io.github.ssl4j.core.momentum;

/**
 * The EMA momentum of a teacher at each step: constant (MoCo), or BYOL's cosine increase from a
 * base value to 1 over the run, {@code m(k) = 1 - (1 - base) * (cos(pi * k / K) + 1) / 2} for step
 * k (0-based) of K.
 *
 * @param base momentum at step 0, in [0, 1]
 * @param cosine whether the momentum rises to 1 by the cosine rule (false: constant)
 */
public record MomentumSchedule(double base, boolean cosine) {

  /** Checks the base momentum. */
  public MomentumSchedule {
    if (!(base >= 0 && base <= 1)) {
      throw new IllegalArgumentException(
          "base momentum must be in [0, 1], got " + base + "; BYOL uses 0.996, MoCo 0.99-0.999");
    }
  }

  /** A constant momentum. */
  public static MomentumSchedule constant(double momentum) {
    return new MomentumSchedule(momentum, false);
  }

  /** BYOL's cosine schedule from {@code base} to 1. */
  public static MomentumSchedule cosine(double base) {
    return new MomentumSchedule(base, true);
  }

  /**
   * The momentum of step {@code step} of a run of {@code totalSteps}.
   *
   * @param step 0-based, &gt;= 0 (steps past the end give 1 with the cosine rule)
   * @param totalSteps &gt;= 1
   */
  public double at(long step, long totalSteps) {
    if (step < 0 || totalSteps < 1) {
      throw new IllegalArgumentException(
          "step must be >= 0 and totalSteps >= 1, got step " + step + " of " + totalSteps);
    }
    if (!cosine) {
      return base;
    }
    double progress = Math.min(1.0, (double) step / totalSteps);
    return 1 - (1 - base) * (Math.cos(Math.PI * progress) + 1) / 2;
  }
}
