package io.github.ssl4j.tasks.masked;

import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Samples which pixels of each image are hidden, for masked image modelling.
 *
 * <p>Implementations are immutable; all randomness comes from {@code rng}, drawn in a fixed order
 * (image by image), so the same generator state gives the same masks.
 */
@FunctionalInterface
public interface MaskGenerator {

  /**
   * Samples one mask per image.
   *
   * @param batch number of images, &gt;= 1
   * @param height image height in pixels
   * @param width image width in pixels
   * @param rng source of all randomness
   * @return FLOAT array of shape [batch, 1, height, width], 1 = masked (hidden), 0 = visible
   * @throws IllegalArgumentException if batch &lt; 1 or the image size does not suit this generator
   *     (the message says what, the value, what is expected and how to fix it)
   */
  INDArray sample(int batch, int height, int width, RandomGenerator rng);

  /**
   * Settings for metadata, as JSON-serialisable values, e.g. {@code {"mask":"random-patches",
   * "patchSize":4,"ratio":0.5}}. The default names only the implementing class; implementations
   * should override it with their parameters.
   */
  default Map<String, Object> config() {
    return Map.of("mask", getClass().getName());
  }
}
