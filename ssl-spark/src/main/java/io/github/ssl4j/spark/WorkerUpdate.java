package io.github.ssl4j.spark;

import java.io.Serializable;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one worker sends back after a round or a step: its parameters and updater state (parameter
 * averaging) or its gradient (gradient sharing, in {@code params}; {@code updaterState} null), and
 * the loss of each of its steps.
 */
record WorkerUpdate(int worker, INDArray params, INDArray updaterState, double[] losses) implements Serializable {

  /**
   * The mean over the updates, summed in worker order so the result does not depend on which task
   * finished first; with one update it is that update's arrays unchanged.
   */
  static WorkerUpdate mean(List<WorkerUpdate> updates) {
    List<WorkerUpdate> ordered = updates.stream()
        .sorted(java.util.Comparator.comparingInt(WorkerUpdate::worker)).toList();
    WorkerUpdate first = ordered.get(0);
    if (ordered.size() == 1) {
      return first;
    }
    INDArray params = first.params().dup();
    INDArray state = first.updaterState() == null ? null : first.updaterState().dup();
    double[] losses = first.losses().clone();
    for (WorkerUpdate u : ordered.subList(1, ordered.size())) {
      params.addi(u.params());
      if (state != null) {
        state.addi(u.updaterState());
      }
      for (int i = 0; i < losses.length; i++) {
        losses[i] += u.losses()[i];
      }
    }
    int n = ordered.size();
    params.divi(n);
    if (state != null) {
      state.divi(n);
    }
    for (int i = 0; i < losses.length; i++) {
      losses[i] /= n;
    }
    return new WorkerUpdate(-1, params, state, losses);
  }
}
