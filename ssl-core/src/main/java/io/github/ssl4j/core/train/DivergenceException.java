package io.github.ssl4j.core.train;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Training diverged or collapsed: the loss or the parameters became NaN or infinite, the loss
 * exploded, a parameter exceeded its bound, or the loss stayed at the task's chance level (see
 * {@link DivergenceLimits}). The message names what happened, the value, the step and the last good
 * checkpoint, and suggests fixes; checkpoints written before the divergence are left intact and the
 * diverged model is never written.
 */
public class DivergenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What stopped the run. */
  public enum Reason {
    /** The loss became NaN or infinite. */
    NON_FINITE_LOSS,
    /** A parameter became NaN or infinite. */
    NON_FINITE_PARAMETERS,
    /** The loss exceeded {@link DivergenceLimits#maxAbsLoss()}. */
    LOSS_TOO_LARGE,
    /** The loss rose far above its running level ({@link DivergenceLimits#lossExplosionFactor()}). */
    LOSS_EXPLOSION,
    /** A parameter exceeded {@link DivergenceLimits#maxAbsParameter()}. */
    PARAMETERS_TOO_LARGE,
    /** The loss stayed at the task's chance level: the representation collapsed. */
    COLLAPSE,
    /**
     * The embeddings' per-dimension spread stayed near zero ({@link
     * DivergenceLimits#minEmbeddingSpread()}): every example is mapped to the same direction.
     */
    EMBEDDING_COLLAPSE
  }

  private final long step;
  private final double value;
  private final Reason reason;
  private final transient Path lastGoodCheckpoint;

  /**
   * @param step 1-based global step at which divergence was detected
   * @param value the offending value (loss, or sum of parameters)
   * @param message full message
   */
  public DivergenceException(long step, double value, String message) {
    this(step, value, message, null, null);
  }

  /**
   * @param step 1-based global step at which divergence was detected
   * @param value the offending value (the loss, the parameter sum or the largest |parameter|)
   * @param message full message
   * @param reason what stopped the run, null if unknown
   * @param lastGoodCheckpoint the newest checkpoint written before the divergence, null if none
   */
  public DivergenceException(long step, double value, String message, Reason reason,
      Path lastGoodCheckpoint) {
    super(message);
    this.step = step;
    this.value = value;
    this.reason = reason;
    this.lastGoodCheckpoint = lastGoodCheckpoint;
  }

  /** 1-based global step at which divergence was detected. */
  public long step() {
    return step;
  }

  /** The offending value: the loss, the parameter sum or the largest |parameter|. */
  public double value() {
    return value;
  }

  /** What stopped the run, null when built with the three-argument constructor. */
  public Reason reason() {
    return reason;
  }

  /** The newest checkpoint written before the divergence (left unchanged), if any. */
  public Optional<Path> lastGoodCheckpoint() {
    return Optional.ofNullable(lastGoodCheckpoint);
  }
}
