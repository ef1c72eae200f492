/**
 * Batch image augmentations for contrastive pretraining (W1: random resized crop, horizontal flip,
 * brightness/contrast jitter, Gaussian noise) and the {@link
 * io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform} that stacks augmented views.
 *
 * <p>All operate on whole batches [n, c, h, w] with values in [0, 1], return new FLOAT arrays, are
 * immutable records and take their randomness from the {@link java.util.random.RandomGenerator}
 * passed in, drawn in a fixed order, so a batch is reproducible from the generator state. The
 * built-in ones implement {@link io.github.ssl4j.tasks.contrastive.augment.PixelAugmentation} and
 * work on plain float buffers (a 2-view W1 batch of 256 28x28 images takes a few milliseconds on
 * one core).
 *
 * <pre>{@code
 * MultiViewTransform views = MultiViewTransform.w1();
 * INDArray batch = views.apply(images, rng);  // [n, 1, 28, 28] -> [2n, 1, 28, 28]
 * }</pre>
 */
package io.github.ssl4j.tasks.contrastive.augment;
