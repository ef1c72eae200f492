package io.github.ssl4j.tasks.contrastive.augment;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Conversions between image batches [n, c, h, w] and float buffers, and parameter checks. */
final class Images {
  private Images() {}

  /** Validates a batch and returns its shape as ints {n, c, h, w}. */
  static int[] checkBatch(INDArray batch) {
    Objects.requireNonNull(batch, "batch");
    if (batch.rank() != 4 || !batch.dataType().isFPType()) {
      throw new IllegalArgumentException(
          "Image augmentations expect a floating-point batch of shape [n, c, h, w], got "
              + batch.dataType() + " " + Arrays.toString(batch.shape())
              + "; reshape flat images, e.g. batch.reshape(n, 1, 28, 28), and cast to FLOAT");
    }
    if (batch.length() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "Image batch too large for one buffer: " + Arrays.toString(batch.shape())
              + "; augment it in smaller batches");
    }
    long[] s = batch.shape();
    return new int[] {(int) s[0], (int) s[1], (int) s[2], (int) s[3]};
  }

  /** A copy of the batch's values as a c-order float buffer. */
  static float[] pixels(INDArray batch) {
    INDArray b = batch.dataType() == DataType.FLOAT ? batch : batch.castTo(DataType.FLOAT);
    if (b.isView() || b.ordering() != 'c' || b.data().length() != b.length()) {
      b = b.dup('c');
    }
    return b.data().asFloat();
  }

  /** Wraps a c-order buffer as a FLOAT array of the given shape. */
  static INDArray toArray(float[] pixels, int[] shape) {
    long[] s = {shape[0], shape[1], shape[2], shape[3]};
    // Via a buffer: Nd4j.create(float[], shape, order) is much slower for large batches.
    return Nd4j.create(Nd4j.createBuffer(pixels), s, Nd4j.getStrides(s, 'c'), 0, 'c', DataType.FLOAT);
  }

  /** Clips to [0, 1]; Math.min/max compile to branch-free instructions (random data mispredicts). */
  static float clamp01(float v) {
    return Math.min(1f, Math.max(0f, v));
  }

  static double uniform(java.util.random.RandomGenerator rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  static double checkProbability(String what, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(
          what + " must be a probability in [0, 1], got " + p + "; use e.g. 0.5");
    }
    return p;
  }
}
