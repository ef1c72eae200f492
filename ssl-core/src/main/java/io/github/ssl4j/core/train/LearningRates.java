package io.github.ssl4j.core.train;

import java.util.Objects;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Checks the learning rates an updater will use over a run, fixed or from a DL4J {@link
 * org.nd4j.linalg.schedule.ISchedule}: a NaN, negative or infinite rate would otherwise train a
 * corrupt model without an error.
 */
public final class LearningRates {
  private LearningRates() {}

  /**
   * Samples the learning rate of {@code updater} at steps 0, 1, {@code totalSteps / 2} and {@code
   * totalSteps - 1} (each with its epoch) and at epoch 1 of step 0: each must be finite and &gt;=
   * 0 (a warm-up may start at 0; a rate of 0 throughout freezes the trained parameters). An
   * updater without a learning rate (e.g. AdaDelta) passes.
   *
   * @param updater the updater as the network will use it (with its schedule, if any)
   * @param totalSteps steps of the run, &gt;= 1
   * @param stepsPerEpoch steps per epoch, &gt;= 1 ({@code Long.MAX_VALUE} when unknown)
   * @throws IllegalArgumentException naming the updater, the step, the epoch and the rate
   */
  public static void check(IUpdater updater, long totalSteps, long stepsPerEpoch) {
    Objects.requireNonNull(updater, "updater");
    if (!updater.hasLearningRate()) {
      return;
    }
    long perEpoch = Math.max(1, stepsPerEpoch);
    long last = Math.max(0, Math.min(totalSteps, Integer.MAX_VALUE) - 1);
    long[][] samples = {{0, 0}, {1, 1 / perEpoch}, {last / 2, last / 2 / perEpoch},
        {last, last / perEpoch}, {0, 1}};
    for (long[] at : samples) {
      int step = Math.toIntExact(at[0]);
      int epoch = (int) Math.min(at[1], Integer.MAX_VALUE);
      double lr;
      try {
        lr = updater.getLearningRate(step, epoch);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "The learning rate of updater " + updater + " cannot be computed at step " + step
                + ", epoch " + epoch + " (" + e + "); expected a finite rate > 0 at every step of"
                + " the run. Fix the schedule's values or its length", e);
      }
      if (!(lr >= 0) || Double.isInfinite(lr)) {
        throw new IllegalArgumentException(
            "learning rate " + lr + " at step " + step + ", epoch " + epoch + " from updater "
                + updater + "; expected a finite rate >= 0 at every step of the run (NaN, negative"
                + " and infinite rates corrupt the model without an error). Fix the rate or the"
                + " schedule's values, e.g. new WarmupCosineSchedule(1e-3, 1e-5, 100, totalSteps)");
      }
    }
  }
}
