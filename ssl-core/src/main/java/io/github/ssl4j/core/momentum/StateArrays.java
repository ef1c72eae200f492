package io.github.ssl4j.core.momentum;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Restores a {@link io.github.ssl4j.core.MethodState}'s live arrays from saved ones, checked. */
public final class StateArrays {
  private StateArrays() {}

  /**
   * Copies every saved array into the live array of the same name ({@code live.get(name).assign(
   * saved.get(name))}), after checking all of them.
   *
   * @param live the state's arrays, by name
   * @param saved arrays read from a checkpoint; extra names are ignored
   * @param method what the state belongs to, for messages (e.g. {@code "BYOL"})
   * @throws IllegalArgumentException if a saved array is missing or its shape or data type differs
   *     from the live one (nothing is copied then)
   */
  public static void restore(Map<String, INDArray> live, Map<String, INDArray> saved, String method) {
    Objects.requireNonNull(saved, "saved");
    for (Map.Entry<String, INDArray> e : live.entrySet()) {
      INDArray a = saved.get(e.getKey());
      INDArray mine = e.getValue();
      if (a == null) {
        throw new IllegalArgumentException(
            method + " state array '" + e.getKey() + "' is missing from the saved state (it has "
                + saved.keySet() + "); resume from a checkpoint written by the same task");
      }
      if (!Arrays.equals(a.shape(), mine.shape()) || a.dataType() != mine.dataType()) {
        throw new IllegalArgumentException(
            method + " state array '" + e.getKey() + "' has shape " + Arrays.toString(a.shape()) + " "
                + a.dataType() + ", expected " + Arrays.toString(mine.shape()) + " " + mine.dataType()
                + "; resume with the task, encoder and data type of the run that wrote it");
      }
    }
    live.forEach((name, mine) -> mine.assign(saved.get(name)));
  }
}
