package io.github.ssl4j.core;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * What a method keeps besides the trained graph, and what it does around each optimiser step: an
 * EMA teacher or momentum encoder ({@link io.github.ssl4j.core.momentum.EmaTeacher}), a queue of
 * negatives, a running centre. Created by a {@link StatefulPretextTask} for one online graph and
 * driven by the trainer on its training thread, once per global step {@code s} (0-based):
 *
 * <ol>
 *   <li>{@link #beforeStep}{@code (batch, s, total)} turns the batch that {@link
 *       PretextTask#prepare} made into the batch the online graph is fitted on (e.g. teacher
 *       projections as the loss layer's labels);
 *   <li>the optimiser step on the online graph;
 *   <li>{@link #afterStep}{@code (s, total)} updates the state (EMA update, enqueue keys).
 * </ol>
 *
 * <p><b>Checkpoints.</b> {@link #arrays()} names every array the state needs to continue; the
 * trainer writes them into each checkpoint and, on resume, calls {@link #restore} on a state newly
 * created for the restored online graph. A state restored from the arrays of step {@code s} must
 * continue exactly as the original did after step {@code s} (bit for bit), so anything the state
 * derives its behaviour from (parameters, queue contents, a write position) belongs in the arrays;
 * randomness comes only from the seed given at creation and the step.
 *
 * <p>Not thread-safe; one state per run.
 */
public interface MethodState {

  /**
   * The batch the online graph is fitted on at {@code step}.
   *
   * @param batch the batch {@link PretextTask#prepare} made for this step; may be modified or
   *     replaced
   * @param step global step about to be taken, 0-based
   * @param totalSteps the step the run ends at
   * @return the batch to fit: one feature array per graph input and one label array per graph
   *     output
   */
  MultiDataSet beforeStep(MultiDataSet batch, long step, long totalSteps);

  /**
   * Updates the state after the optimiser step of {@code step} (the online graph's parameters are
   * the updated ones).
   *
   * @param step the global step just taken, 0-based
   * @param totalSteps the step the run ends at
   */
  void afterStep(long step, long totalSteps);

  /**
   * The arrays to checkpoint, by name (names: letters, digits, {@code -_.}). The trainer copies
   * them before writing, so live views may be returned. Empty for a state with nothing to save.
   */
  Map<String, INDArray> arrays();

  /**
   * Restores the arrays {@link #arrays()} returned when the checkpoint was written.
   *
   * @throws IllegalArgumentException if an array is missing or has another shape or data type
   *     than this state's (the message names it, what was found and what was expected)
   */
  void restore(Map<String, INDArray> arrays);
}
