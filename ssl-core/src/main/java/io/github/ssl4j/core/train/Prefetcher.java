package io.github.ssl4j.core.train;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Background producer of training batches for global steps [from, to): asks {@link
 * TrainingLoop.Batches} for each step in order on its own thread, casts floating-point arrays to the
 * training data type and hands the batches over through a bounded queue. Package-private: the
 * {@link TrainingLoop} owns it and closes it on every exit path.
 */
final class Prefetcher implements AutoCloseable {
  /** A prepared batch for a global step (0-based). */
  record Batch(long step, MultiDataSet data) {}

  private record Failure(long step, Throwable cause) {}

  private static final Object END = new Object();

  private final TrainingLoop.Batches batches;
  private final long stepsPerEpoch;
  private final long to;
  private final DataType dataType;
  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private volatile boolean closed;

  /**
   * @param dataType the type floating-point arrays are cast to, or null to leave them as they are
   */
  Prefetcher(TrainingLoop.Batches batches, long stepsPerEpoch, long from, long to, int depth,
      DataType dataType) {
    this.batches = batches;
    this.stepsPerEpoch = stepsPerEpoch;
    this.to = to;
    this.dataType = dataType;
    this.queue = new ArrayBlockingQueue<>(depth);
    this.thread = new Thread(() -> produce(from), "ssl4j-prefetch");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void produce(long from) {
    long step = from;
    try {
      for (; step < to && !closed; step++) {
        MultiDataSet mds = batches.forStep(step);
        if (mds == null) {
          throw new IllegalStateException("The batch source returned null for step " + (step + 1));
        }
        if (dataType != null) {
          castAll(mds.getFeatures());
          castAll(mds.getLabels());
          castAll(mds.getFeaturesMaskArrays());
          castAll(mds.getLabelsMaskArrays());
        }
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
