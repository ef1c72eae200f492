package io.github.ssl4j.core.train;

import io.github.ssl4j.core.MethodState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How the trainer drives a {@link MethodState}: around every optimiser step of the loop, and in and
 * out of checkpoints (the {@code method-state.bin} entry: a count, then per array, in name order,
 * its name and {@code Nd4j.write} bytes).
 */
final class MethodSteps {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  private MethodSteps() {}

  /**
   * {@code network} with {@code state}'s hooks around each fit: the n-th fit is global step {@code
   * startStep + n}.
   */
  static TrainingLoop.Network around(TrainingLoop.Network network, MethodState state, long startStep,
      long totalSteps) {
    return new TrainingLoop.Network() {
      private long step = startStep;

      @Override
      public void fit(MultiDataSet batch) {
        MultiDataSet fitted = state.beforeStep(batch, step, totalSteps);
        if (fitted == null) {
          throw new IllegalStateException("MethodState.beforeStep returned null at step " + step);
        }
        network.fit(fitted);
        state.afterStep(step, totalSteps);
        step++;
      }

      @Override
      public double score() {
        return network.score();
      }

      @Override
      public double regularizationScore() {
        return network.regularizationScore();
      }

      @Override
      public INDArray params() {
        return network.params();
      }

      @Override
      public void setEpochCount(int epoch) {
        network.setEpochCount(epoch);
      }
    };
  }

  /** The state's arrays, copied, as the bytes of a checkpoint entry. */
  static byte[] write(MethodState state) throws IOException {
    Map<String, INDArray> arrays = new TreeMap<>(state.arrays());
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bos)) {
      out.writeInt(arrays.size());
      for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
        if (!NAME.matcher(e.getKey()).matches() || e.getValue() == null) {
          throw new IllegalStateException(
              "MethodState array names must match " + NAME + " and arrays must be non-null, got '"
                  + e.getKey() + "' -> " + e.getValue());
        }
        out.writeUTF(e.getKey());
        Nd4j.write(e.getValue().dup('c'), out);
      }
    }
    return bos.toByteArray();
  }

  /**
   * The arrays of a checkpoint entry.
   *
   * @throws IllegalArgumentException if the bytes are not such an entry
   */
  static Map<String, INDArray> read(byte[] bytes) {
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int n = in.readInt();
      if (n < 0 || n > 10_000) {
        throw new IllegalArgumentException("the method state claims " + n + " arrays");
      }
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        arrays.put(name, Nd4j.read(in));
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("the method state entry is unreadable (" + e + ")", e);
    }
    return arrays;
  }
}
