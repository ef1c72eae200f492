/**
 * Batch image augmentations for contrastive pretraining (random resized crop, horizontal flip,
 * brightness/contrast jitter, Gaussian noise; {@link
 * io.github.ssl4j.tasks.contrastive.augment.Compose#simclr()} chains them as SimCLR does) and the {@link
 * io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform} that stacks augmented views.
 *
 * <p>All operate on whole batches [n, c, h, w] with values in [0, 1], return new FLOAT arrays, are
 * immutable records and take their randomness from the {@link java.util.random.RandomGenerator}
 * passed in, drawn in a fixed order, so a batch is reproducible from the generator state. The
 * built-in ones implement {@link io.github.ssl4j.tasks.contrastive.augment.PixelAugmentation} and
 * work on plain float buffers.
 *
 * <pre>{@code
 * MultiViewTransform views = MultiViewTransform.simclr();
 * INDArray batch = views.apply(images, rng);  // [n, 1, 28, 28] -> [2n, 1, 28, 28]
 * }</pre>
 */
package io.github.ssl4j.tasks.contrastive.augment;
