package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A random transformation of a whole batch of images.
 *
 * <p>Implementations are immutable and hold no randomness: every random choice comes from {@code
 * rng}, drawn in a fixed order (image by image), so the same generator state gives the same output.
 * They never modify their input.
 */
@FunctionalInterface
public interface ImageAugmentation {

  /**
   * Transforms a batch.
   *
   * @param batch images of shape [n, c, h, w], values in [0, 1]; any floating-point type; not
   *     modified
   * @param rng the only source of randomness
   * @return a new FLOAT array of shape [n, c, h, w] with values in [0, 1]
   * @throws IllegalArgumentException if {@code batch} is not a rank-4 floating-point array
   */
  INDArray apply(INDArray batch, RandomGenerator rng);
}
