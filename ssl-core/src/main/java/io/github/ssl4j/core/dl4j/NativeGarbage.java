package io.github.ssl4j.core.dl4j;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Has the JVM collect its garbage after a training loop has handed a given amount of batch data
 * to DL4J, so that the native memory of arrays nobody uses any more is freed.
 *
 * <p>ND4J frees an array's off-heap buffer only when the JVM collects the small Java object that
 * owns it. Each training step leaves arrays behind outside DL4J's workspaces (its batch, the
 * example batch it was prepared from, some of DL4J's own), a few MB of native memory held by a few
 * KB of Java objects; with a large heap and little Java garbage the JVM may not collect for many
 * steps while that native memory piles up. After every {@link #DEFAULT_BYTES} bytes of batches
 * handed over, {@link #handedOver} calls {@link System#gc()} (which {@code -XX:+DisableExplicitGC}
 * turns into a no-op). Set the system property {@value #PROPERTY} to {@code false} to never do so.
 * Not thread-safe: one per training loop.
 */
public final class NativeGarbage {
  /** Set to {@code false} to never ask the JVM for a collection. */
  public static final String PROPERTY = "ssl4j.collectBatchGarbage";

  /** Bytes of batch data handed over between two collections: 64 MiB. */
  public static final long DEFAULT_BYTES = 64L << 20;

  private final long threshold;
  private final boolean enabled;
  private long pending;
  private long collections;

  /** Collects after every {@link #DEFAULT_BYTES} bytes, unless {@value #PROPERTY} is {@code false}. */
  public NativeGarbage() {
    this(DEFAULT_BYTES, !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim()));
  }

  /**
   * @param thresholdBytes bytes of batches between two collections, positive
   * @param enabled whether to collect at all
   * @throws IllegalArgumentException if {@code thresholdBytes} is not positive
   */
  public NativeGarbage(long thresholdBytes, boolean enabled) {
    if (thresholdBytes <= 0) {
      throw new IllegalArgumentException("thresholdBytes must be positive, got " + thresholdBytes);
    }
    this.threshold = thresholdBytes;
    this.enabled = enabled;
  }

  /**
   * Counts {@code batch}'s arrays (features, labels and masks) as handed over, and collects if
   * they reach the threshold since the last collection.
   *
   * @param batch the batch a step has just trained on, not null
   * @return whether it asked the JVM for a collection now
   */
  public boolean handedOver(MultiDataSet batch) {
    pending += bytes(batch);
    if (!enabled || pending < threshold) {
      return false;
    }
    pending = 0;
    collections++;
    System.gc();
    return true;
  }

  /** @return how many collections this instance has asked for */
  public long collections() {
    return collections;
  }

  /** @return bytes held by the batch's features, labels and masks (null entries skipped) */
  static long bytes(MultiDataSet batch) {
    return bytes(batch.getFeatures()) + bytes(batch.getLabels()) + bytes(batch.getFeaturesMaskArrays())
        + bytes(batch.getLabelsMaskArrays());
  }

  private static long bytes(INDArray[] arrays) {
    long sum = 0;
    if (arrays != null) {
      for (INDArray a : arrays) {
        if (a != null && !a.isEmpty()) {
          sum += a.length() * a.dataType().width();
        }
      }
    }
    return sum;
  }
}
