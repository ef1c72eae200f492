package io.github.ssl4j.core.train;

/**
 * When {@link TrainingLoop} stops a run that has gone wrong although its loss is still finite. NaN
 * and infinite losses and parameters always stop a run; these limits add:
 *
 * <ul>
 *   <li>{@code maxAbsLoss}: a loss whose magnitude exceeds this stops the run at any step (default
 *       1e12; a healthy loss on normalised inputs is many orders of magnitude smaller);
 *   <li>{@code lossExplosionFactor} and {@code lossWarmupSteps}: after {@code lossWarmupSteps}
 *       steps of a run, a loss above {@code lossExplosionFactor * max(|ema|, 1)} stops it,
 *       where {@code ema} is the exponential moving average of the earlier losses of the run
 *       (smoothing {@value #EMA_SMOOTHING}; default factor 100 after 20 steps; factor 0 turns the
 *       check off); the floor of 1 keeps a small loss (e.g. a reconstruction error of 1e-4) from
 *       tripping the check on harmless noise;
 *   <li>{@code maxAbsParameter}: a parameter whose magnitude exceeds this stops the run, checked
 *       every {@code paramCheckEverySteps} steps and before every checkpoint (default 1e6;
 *       {@code Double.POSITIVE_INFINITY} turns the check off);
 *   <li>{@code chanceLossSteps} and {@code chanceLossTolerance}: for a task with a chance-level
 *       loss ({@link io.github.ssl4j.core.PretextTask#chanceLoss(int)}, e.g. {@code ln(2N-1)} for
 *       contrastive learning), a loss within {@code chanceLossTolerance} of it for {@code
 *       chanceLossSteps} consecutive steps is a collapsed representation and stops the run
 *       (default 20 steps within 1e-4; 0 steps turns the check off). While the loss is at chance
 *       level the trainer writes no checkpoint (except the run's last one), so the last good
 *       checkpoint predates the collapse;
 *   <li>{@code embeddingCheckEverySteps}, {@code minEmbeddingSpread} and {@code
 *       embeddingCollapseChecks}: for a joint-embedding task ({@link
 *       io.github.ssl4j.core.PretextTask#embeddingVertex()} not empty), every {@code
 *       embeddingCheckEverySteps} steps and before every checkpoint the embeddings of (at most
 *       {@value #EMBEDDING_CHECK_ROWS} rows of) the step's batch are computed in inference mode, each
 *       row scaled to unit length, and the standard deviation of each dimension taken over the rows;
 *       when the largest of them is at most {@code minEmbeddingSpread} at {@code
 *       embeddingCollapseChecks} consecutive checks, every example is mapped to the same direction
 *       and the run stops (default every 25 steps, spread 1e-4, 3 checks; 0 steps turns the check
 *       off). The cost is one forward pass of those rows per check. While the last check found the
 *       spread at or below the bound the trainer writes no checkpoint (except the run's last one).
 * </ul>
 *
 * <pre>{@code
 * TrainingConfig.builder(256)
 *     .divergenceLimits(DivergenceLimits.defaults().withMaxAbsParameter(1e8))
 *     .build();
 * }</pre>
 *
 * @param maxAbsLoss largest tolerated |loss|, &gt; 0
 * @param lossExplosionFactor tolerated ratio of a loss to its running level, 0 (off) or &gt; 1
 * @param lossWarmupSteps steps of a run before the ratio is checked, &gt;= 1
 * @param maxAbsParameter largest tolerated |parameter|, &gt; 0 (infinity: off)
 * @param chanceLossSteps consecutive steps at chance level that count as collapse, &gt;= 0 (0: off)
 * @param chanceLossTolerance distance from the chance-level loss (in the loss's units) that counts
 *     as at chance, &gt;= 0
 * @param embeddingCheckEverySteps steps between two measurements of the embeddings' spread, &gt;= 0
 *     (0: off)
 * @param minEmbeddingSpread largest per-dimension standard deviation of unit-length embeddings
 *     that counts as collapsed, in [0, 1)
 * @param embeddingCollapseChecks consecutive collapsed measurements that stop the run, &gt;= 1
 */
public record DivergenceLimits(double maxAbsLoss, double lossExplosionFactor, int lossWarmupSteps,
    double maxAbsParameter, int chanceLossSteps, double chanceLossTolerance, int embeddingCheckEverySteps,
    double minEmbeddingSpread, int embeddingCollapseChecks) {

  /** Weight of the newest loss in the running level, {@code ema = 0.9 * ema + 0.1 * loss}. */
  public static final double EMA_SMOOTHING = 0.1;

  /** Most rows of a batch whose embeddings one spread check computes. */
  public static final int EMBEDDING_CHECK_ROWS = 128;

  /**
   * The limits without the embedding-spread check's settings, which get their defaults (every 25
   * steps, spread 1e-4, 3 checks).
   */
  public DivergenceLimits(double maxAbsLoss, double lossExplosionFactor, int lossWarmupSteps,
      double maxAbsParameter, int chanceLossSteps, double chanceLossTolerance) {
    this(maxAbsLoss, lossExplosionFactor, lossWarmupSteps, maxAbsParameter, chanceLossSteps, chanceLossTolerance,
        25, 1e-4, 3);
  }

  /** Validates every limit. */
  public DivergenceLimits {
    if (!(maxAbsLoss > 0)) {
      throw new IllegalArgumentException(
          "maxAbsLoss must be > 0, got " + maxAbsLoss + "; the default is 1e12");
    }
    if (!(lossExplosionFactor == 0 || lossExplosionFactor > 1) || Double.isInfinite(lossExplosionFactor)) {
      throw new IllegalArgumentException(
          "lossExplosionFactor must be 0 (off) or finite and > 1, got " + lossExplosionFactor
              + "; the default is 100");
    }
    if (lossWarmupSteps < 1) {
      throw new IllegalArgumentException(
          "lossWarmupSteps must be >= 1, got " + lossWarmupSteps + "; the default is 20");
    }
    if (!(maxAbsParameter > 0)) {
      throw new IllegalArgumentException(
          "maxAbsParameter must be > 0 (infinity: off), got " + maxAbsParameter
              + "; the default is 1e6");
    }
    if (chanceLossSteps < 0) {
      throw new IllegalArgumentException(
          "chanceLossSteps must be >= 0 (0: off), got " + chanceLossSteps + "; the default is 20");
    }
    if (!(chanceLossTolerance >= 0) || Double.isInfinite(chanceLossTolerance)) {
      throw new IllegalArgumentException(
          "chanceLossTolerance must be finite and >= 0, got " + chanceLossTolerance
              + "; the default is 1e-4");
    }
    if (embeddingCheckEverySteps < 0) {
      throw new IllegalArgumentException("embeddingCheckEverySteps must be >= 0 (0: off), got "
          + embeddingCheckEverySteps + "; the default is 25");
    }
    if (!(minEmbeddingSpread >= 0 && minEmbeddingSpread < 1)) {
      throw new IllegalArgumentException("minEmbeddingSpread must be in [0, 1) (a standard deviation of"
          + " unit-length vectors), got " + minEmbeddingSpread + "; the default is 1e-4");
    }
    if (embeddingCollapseChecks < 1) {
      throw new IllegalArgumentException("embeddingCollapseChecks must be >= 1, got " + embeddingCollapseChecks
          + "; the default is 3");
    }
  }

  /** The defaults listed above. */
  public static DivergenceLimits defaults() {
    return new DivergenceLimits(1e12, 100, 20, 1e6, 20, 1e-4, 25, 1e-4, 3);
  }

  /** Only NaN and infinity stop a run. */
  public static DivergenceLimits nonFiniteOnly() {
    return new DivergenceLimits(Double.MAX_VALUE, 0, 1, Double.POSITIVE_INFINITY, 0, 0, 0, 0, 1);
  }

  /** A copy with another {@code maxAbsLoss}. */
  public DivergenceLimits withMaxAbsLoss(double v) {
    return new DivergenceLimits(v, lossExplosionFactor, lossWarmupSteps, maxAbsParameter,
        chanceLossSteps, chanceLossTolerance, embeddingCheckEverySteps, minEmbeddingSpread, embeddingCollapseChecks);
  }

  /** A copy with another explosion factor and warm-up. */
  public DivergenceLimits withLossExplosion(double factor, int warmupSteps) {
    return new DivergenceLimits(maxAbsLoss, factor, warmupSteps, maxAbsParameter,
        chanceLossSteps, chanceLossTolerance, embeddingCheckEverySteps, minEmbeddingSpread, embeddingCollapseChecks);
  }

  /** A copy with another {@code maxAbsParameter}. */
  public DivergenceLimits withMaxAbsParameter(double v) {
    return new DivergenceLimits(maxAbsLoss, lossExplosionFactor, lossWarmupSteps, v,
        chanceLossSteps, chanceLossTolerance, embeddingCheckEverySteps, minEmbeddingSpread, embeddingCollapseChecks);
  }

  /** A copy with another chance-level collapse check. */
  public DivergenceLimits withChanceLoss(int steps, double tolerance) {
    return new DivergenceLimits(maxAbsLoss, lossExplosionFactor, lossWarmupSteps, maxAbsParameter,
        steps, tolerance, embeddingCheckEverySteps, minEmbeddingSpread, embeddingCollapseChecks);
  }

  /**
   * A copy with another embedding-spread check.
   *
   * @param everySteps steps between two measurements, &gt;= 0 (0: off)
   * @param minSpread per-dimension standard deviation of unit-length embeddings that counts as
   *     collapsed, in [0, 1)
   * @param checks consecutive collapsed measurements that stop the run, &gt;= 1
   */
  public DivergenceLimits withEmbeddingSpread(int everySteps, double minSpread, int checks) {
    return new DivergenceLimits(maxAbsLoss, lossExplosionFactor, lossWarmupSteps, maxAbsParameter,
        chanceLossSteps, chanceLossTolerance, everySteps, minSpread, checks);
  }
}
