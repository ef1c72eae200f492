package io.github.ssl4j.core.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Random-access source of unlabelled examples. Random access (by index) lets the trainer shuffle
 * reproducibly from a seed and resume in the middle of an epoch; generated and file-backed sources
 * implement it as cheaply as in-memory ones.
 *
 * <p>Implementations must be safe to call from a background (prefetch) thread.
 */
public interface ExampleSource {

  /** Number of examples; must be &gt; 0 for training. */
  long size();

  /**
   * The examples at the given indices, stacked.
   *
   * @param indices indices in [0, size())
   * @return array of shape [indices.length, ...] (e.g. [n, channels, height, width] for images)
   */
  INDArray get(long[] indices);
}
