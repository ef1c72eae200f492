/**
 * Masked autoencoder (MAE) pretraining of a {@link io.github.ssl4j.core.encoders.VisionTransformer}:
 * {@link io.github.ssl4j.tasks.mae.MaskedAutoencoderTask} with its masking ({@link
 * io.github.ssl4j.tasks.mae.PatchMasking}), targets ({@link io.github.ssl4j.tasks.mae.PatchPixels}),
 * the token gather and scatter vertices ({@link io.github.ssl4j.tasks.mae.VisiblePatchGather},
 * {@link io.github.ssl4j.tasks.mae.PatchScatter}) and the masked-patch loss ({@link
 * io.github.ssl4j.tasks.mae.MaskedPatchLoss}).
 */
package io.github.ssl4j.tasks.mae;
