package io.github.ssl4j.spark;

/**
 * Called on the driver after every round of a {@link SparkPretrainer} run, once the workers'
 * work is combined and the round's checkpoint (if any) is written. An exception thrown here stops
 * the run; the checkpoint of the round is kept, so the run can be resumed from it.
 */
@FunctionalInterface
public interface RoundListener {

  /**
   * @param step global steps done
   * @param totalSteps steps of the run
   * @param loss mean loss over the workers of the round's last step
   * @param checkpoint URI of the round's checkpoint, null if none was written
   */
  void onRound(long step, long totalSteps, double loss, String checkpoint);
}
