package io.github.ssl4j.core.data;

import io.github.ssl4j.core.train.Seeds;
import java.util.SplittableRandom;

/**
 * The one seeded shuffle-and-minibatch order of ssl4j: which examples make up the batch of each
 * global step. Epoch {@code e} visits the examples in the order {@link #permutation(long, int,
 * int)} draws from {@code Seeds.mix(seed, "shuffle", e)}; its batches are consecutive slices of
 * that order. The order of any step can be recomputed without replaying the steps before it, which
 * is what makes a resumed run identical to an uninterrupted one.
 *
 * <pre>{@code
 * Minibatches order = Minibatches.dropLast(60_000, 256, seed); // 234 full batches per epoch
 * int[] batch = order.indices(step);                          // 256 example indices
 * }</pre>
 *
 * <p>Not thread-safe: it caches the permutation of the current epoch. Use one instance per
 * producer, asking for steps in increasing order for best speed (any order is correct).
 */
public final class Minibatches {
  private final int size;
  private final int batchSize;
  private final long seed;
  private final long stepsPerEpoch;
  private int cachedEpoch = -1;
  private int[] order;

  private Minibatches(int size, int batchSize, boolean dropLast, long seed) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1 example, got " + size);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (dropLast && size < batchSize) {
      throw new IllegalArgumentException(
          "The data has " + size + " examples, fewer than one batch of " + batchSize
              + " (incomplete batches are dropped); use a smaller batch size or more data");
    }
    this.size = size;
    this.batchSize = batchSize;
    this.seed = seed;
    this.stepsPerEpoch = dropLast ? size / batchSize : (size + batchSize - 1L) / batchSize;
  }

  /**
   * Full batches only: {@code floor(size / batchSize)} steps per epoch, the last {@code size %
   * batchSize} examples of each epoch's order are skipped (pretraining).
   *
   * @throws IllegalArgumentException if {@code size < batchSize} or either is &lt; 1
   */
  public static Minibatches dropLast(int size, int batchSize, long seed) {
    return new Minibatches(size, batchSize, true, seed);
  }

  /**
   * Every example once per epoch: {@code ceil(size / batchSize)} steps, the last batch of an epoch
   * may be smaller (fine-tuning and probes).
   *
   * @throws IllegalArgumentException if {@code size} or {@code batchSize} is &lt; 1
   */
  public static Minibatches keepLast(int size, int batchSize, long seed) {
    return new Minibatches(size, batchSize, false, seed);
  }

  /** Number of examples. */
  public int size() {
    return size;
  }

  /** Examples per full batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Optimiser steps per epoch. */
  public long stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** The epoch (0-based) global step {@code step} (0-based) belongs to. */
  public int epochOf(long step) {
    return Math.toIntExact(step / stepsPerEpoch);
  }

  /**
   * The example indices of global step {@code step} (0-based), in batch order.
   *
   * @return a new array of length {@link #batchSize()} (or fewer for the last batch of an epoch
   *     with {@link #keepLast})
   */
  public int[] indices(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    int epoch = epochOf(step);
    if (epoch != cachedEpoch) {
      order = permutation(seed, epoch, size);
      cachedEpoch = epoch;
    }
    int from = Math.toIntExact((step % stepsPerEpoch) * batchSize);
    int to = Math.min(size, from + batchSize);
    int[] idx = new int[to - from];
    System.arraycopy(order, from, idx, 0, idx.length);
    return idx;
  }

  /**
   * The visiting order of epoch {@code epoch}: a Fisher–Yates permutation of [0, n) drawn from a
   * {@link SplittableRandom} seeded with {@code Seeds.mix(seed, "shuffle", epoch)}.
   */
  public static int[] permutation(long seed, int epoch, int n) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, "shuffle", epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }
}
