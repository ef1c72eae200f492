package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An {@link ImageAugmentation} that works directly on a c-order float buffer. {@link Compose} and
 * {@link MultiViewTransform} chain these without converting to and from {@link INDArray} between
 * steps; implement this (only the buffer method) for a fast custom augmentation.
 */
public interface PixelAugmentation extends ImageAugmentation {

  /**
   * Transforms a batch held in a float buffer.
   *
   * @param pixels c-order buffer of shape [n, c, h, w] (length n*c*h*w); not modified
   * @param n number of images
   * @param c channels
   * @param h height
   * @param w width
   * @param rng the only source of randomness
   * @return a new buffer of the same shape and length
   */
  float[] apply(float[] pixels, int n, int c, int h, int w, RandomGenerator rng);

  @Override
  default INDArray apply(INDArray batch, RandomGenerator rng) {
    int[] s = Images.checkBatch(batch);
    return Images.toArray(apply(Images.pixels(batch), s[0], s[1], s[2], s[3], rng), s);
  }
}
