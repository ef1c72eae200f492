/**
 * Batch image augmentations for contrastive pretraining (random resized crop, horizontal flip,
 * colour jitter with brightness, contrast, saturation and hue, random grayscale, Gaussian blur,
 * Gaussian noise; {@link io.github.ssl4j.tasks.contrastive.augment.Compose#simclr(int, int, int)}
 * chains them as SimCLR does for grey or RGB images of a size) and the {@link
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
 * INDArray rgb = MultiViewTransform.simclr(3, 96, 96).apply(photos, rng); // [n, 3, 96, 96] -> [2n, 3, 96, 96]
 * }</pre>
 */
package io.github.ssl4j.tasks.contrastive.augment;
