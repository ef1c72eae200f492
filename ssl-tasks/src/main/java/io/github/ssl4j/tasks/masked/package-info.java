/**
 * Masked image modelling: {@link io.github.ssl4j.tasks.masked.MaskedImageTask} (inpainting of hidden
 * patches) and the mask generators that choose which patches of each image are hidden. {@link io.github.ssl4j.tasks.masked.MaskGenerator} is the SPI, returning a FLOAT mask
 * [batch, 1, h, w] (1 = masked) with all randomness from the caller's {@link
 * java.util.random.RandomGenerator}; {@link io.github.ssl4j.tasks.masked.RandomPatchMask} masks
 * uniformly random patches (e.g. 25 of the 49 4x4 patches of a 28x28 image) and {@link
 * io.github.ssl4j.tasks.masked.BlockMask} masks BEiT-style rectangular blocks of patches.
 *
 * <p>Masked language modelling: {@link io.github.ssl4j.tasks.masked.MaskedLanguageTask} (BERT's
 * pretext task) and {@link io.github.ssl4j.tasks.masked.MlmMasker}, which applies
 * BERT masking to a batch of token ids (from {@link io.github.ssl4j.core.text.TokenWindowSource})
 * and returns {@link io.github.ssl4j.tasks.masked.MaskedTokens}: corrupted inputs, original labels
 * and the label (loss) mask.
 */
package io.github.ssl4j.tasks.masked;
