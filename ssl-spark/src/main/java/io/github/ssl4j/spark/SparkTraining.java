package io.github.ssl4j.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * How {@link SparkPretrainer} spreads training over the workers (one per RDD partition) and where
 * it keeps checkpoints. Immutable.
 *
 * <ul>
 *   <li>{@link #parameterAveraging(int)}: each worker takes {@code averagingFrequency} optimiser
 *       steps on its own batches from the current parameters and updater state; the driver then
 *       averages parameters and updater state over the workers. One round = {@code
 *       averagingFrequency} steps.
 *   <li>{@link #gradientSharing(int)}: synchronous data parallelism; at every step each worker
 *       computes the gradient of its batch at the current parameters, the driver averages the
 *       gradients and applies the updater once (gradient clipping and weight decay on the averaged
 *       gradient). One round = {@code stepsPerRound} steps.
 * </ul>
 *
 * A checkpoint is written after every round when {@link #checkpointPath()} is set.
 */
public final class SparkTraining implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How the workers' work is combined. */
  public enum Mode {
    /** Average parameters and updater state every round. */
    PARAMETER_AVERAGING,
    /** Average gradients every step, apply the updater on the driver. */
    GRADIENT_SHARING
  }

  private final Mode mode;
  private final int stepsPerRound;
  private final String checkpointPath;
  private final int keepLastCheckpoints;

  private SparkTraining(Mode mode, int stepsPerRound, String checkpointPath, int keepLastCheckpoints) {
    if (stepsPerRound < 1) {
      throw new IllegalArgumentException(
          "steps per round must be >= 1, got " + stepsPerRound + "; use e.g. 5 to combine the workers every 5 steps");
    }
    if (keepLastCheckpoints < 1) {
      throw new IllegalArgumentException("keepLastCheckpoints must be >= 1, got " + keepLastCheckpoints);
    }
    this.mode = mode;
    this.stepsPerRound = stepsPerRound;
    this.checkpointPath = checkpointPath;
    this.keepLastCheckpoints = keepLastCheckpoints;
  }

  /**
   * Parameter averaging every {@code averagingFrequency} steps (DL4J's {@code
   * ParameterAveragingTrainingMaster} scheme). No checkpoints, keep the last 3 once a path is set.
   *
   * @throws IllegalArgumentException if {@code averagingFrequency < 1}
   */
  public static SparkTraining parameterAveraging(int averagingFrequency) {
    return new SparkTraining(Mode.PARAMETER_AVERAGING, averagingFrequency, null, 3);
  }

  /**
   * Synchronous gradient averaging at every step; a round (the checkpoint cadence) is {@code
   * stepsPerRound} steps.
   *
   * @throws IllegalArgumentException if {@code stepsPerRound < 1}
   */
  public static SparkTraining gradientSharing(int stepsPerRound) {
    return new SparkTraining(Mode.GRADIENT_SHARING, stepsPerRound, null, 3);
  }

  /**
   * Writes {@code checkpoint-<step>.zip} after every round into {@code path}, any Hadoop file-system
   * URI the cluster can reach ({@code hdfs://...}, {@code s3a://...}, {@code file:/...}); a path
   * without a scheme uses the Hadoop default file system.
   */
  public SparkTraining checkpointPath(String path) {
    Objects.requireNonNull(path, "path");
    if (path.isBlank()) {
      throw new IllegalArgumentException("checkpoint path is blank; give a Hadoop URI such as hdfs:///runs/simclr");
    }
    return new SparkTraining(mode, stepsPerRound, path, keepLastCheckpoints);
  }

  /** Keeps the newest {@code k} checkpoints (default 3). */
  public SparkTraining keepLastCheckpoints(int k) {
    return new SparkTraining(mode, stepsPerRound, checkpointPath, k);
  }

  public Mode mode() {
    return mode;
  }

  /** Steps per round: the averaging frequency, or the checkpoint cadence of gradient sharing. */
  public int stepsPerRound() {
    return stepsPerRound;
  }

  /** The checkpoint directory URI, or null for none. */
  public String checkpointPath() {
    return checkpointPath;
  }

  public int keepLastCheckpoints() {
    return keepLastCheckpoints;
  }

  @Override
  public String toString() {
    return "SparkTraining[" + mode + ", " + stepsPerRound + " steps per round, checkpoints "
        + (checkpointPath == null ? "off" : checkpointPath + " (keep " + keepLastCheckpoints + ")") + "]";
  }
}
