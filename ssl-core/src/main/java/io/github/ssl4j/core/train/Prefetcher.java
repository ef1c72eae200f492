package io.github.ssl4j.core.train;

import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.data.ExampleSource;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Background producer of training batches for global steps [from, to): shuffles each epoch from
 * {@code mix(seed, "shuffle", epoch)}, reads the examples and runs the task's collator with {@code
 * mix(seed, "prepare", step)}. Batches are handed over through a bounded queue. Package-private:
 * the trainer owns it and closes it on every exit path.
 */
final class Prefetcher implements AutoCloseable {
  /** A prepared batch for a global step (0-based). */
  record Batch(long step, MultiDataSet data) {}

  private record Failure(long step, Throwable cause) {}

  private static final Object END = new Object();

  private final ExampleSource data;
  private final PretextTask task;
  private final long seed;
  private final int batchSize;
  private final long stepsPerEpoch;
  private final long to;
  private final DataType dataType;
  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private volatile boolean closed;

  Prefetcher(ExampleSource data, PretextTask task, long seed, int batchSize, long stepsPerEpoch,
      long from, long to, int depth, DataType dataType) {
    this.data = data;
    this.task = task;
    this.seed = seed;
    this.batchSize = batchSize;
    this.stepsPerEpoch = stepsPerEpoch;
    this.to = to;
    this.dataType = dataType;
    this.queue = new ArrayBlockingQueue<>(depth);
    this.thread = new Thread(() -> produce(from), "ssl4j-prefetch");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Permutation of [0, n) for an epoch; the same for the same (seed, epoch). */
  static int[] permutation(long seed, int epoch, int n) {
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

  private void produce(long from) {
    long step = from;
    try {
      int n = Math.toIntExact(data.size());
      int permEpoch = -1;
      int[] perm = null;
      for (; step < to && !closed; step++) {
        int epoch = Math.toIntExact(step / stepsPerEpoch);
        int batch = (int) (step % stepsPerEpoch);
        if (epoch != permEpoch) {
          perm = permutation(seed, epoch, n);
          permEpoch = epoch;
        }
        long[] idx = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
          idx[i] = perm[batch * batchSize + i];
        }
        INDArray examples = data.get(idx);
        if (examples == null) {
          throw new IllegalStateException("ExampleSource.get returned null for " + batchSize + " indices");
        }
        MultiDataSet mds = task.prepare(examples, new SplittableRandom(Seeds.mix(seed, "prepare", step)));
        if (mds == null) {
          throw new IllegalStateException("PretextTask '" + task.id() + "' prepare() returned null");
        }
        castAll(mds.getFeatures());
        castAll(mds.getLabels());
        castAll(mds.getFeaturesMaskArrays());
        castAll(mds.getLabelsMaskArrays());
        if (!offer(new Batch(step, mds))) {
          return;
        }
      }
      offer(END);
    } catch (Throwable t) {
      offer(new Failure(step, t));
    }
  }

  private void castAll(INDArray[] arrays) {
    if (arrays == null) {
      return;
    }
    for (int i = 0; i < arrays.length; i++) {
      INDArray a = arrays[i];
      if (a != null && a.dataType().isFPType() && a.dataType() != dataType) {
        arrays[i] = a.castTo(dataType);
      }
    }
  }

  private boolean offer(Object item) {
    try {
      while (!closed) {
        if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /**
   * The next batch, waiting for it if needed.
   *
   * @throws IllegalStateException if preparing a batch failed in the background thread (the cause
   *     is the original exception) or the producer ended early
   */
  Batch take() {
    Object item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the next training batch", e);
    }
    if (item instanceof Batch b) {
      return b;
    }
    if (item instanceof Failure f) {
      long epoch = f.step() / stepsPerEpoch;
      throw new IllegalStateException(
          "Preparing the batch for step " + (f.step() + 1) + " (epoch " + epoch + ", batch "
              + (f.step() % stepsPerEpoch) + ") failed in the prefetch thread: " + f.cause(), f.cause());
    }
    throw new IllegalStateException("The prefetch thread ended before step " + to + " was reached");
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    queue.clear();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
