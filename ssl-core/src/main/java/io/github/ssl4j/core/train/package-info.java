/**
 * The one shared trainer for every pretext task: {@link io.github.ssl4j.core.train.Trainer},
 * its immutable {@link io.github.ssl4j.core.train.TrainingConfig} and {@link
 * io.github.ssl4j.core.train.TrainingResult}, the {@link
 * io.github.ssl4j.core.train.WarmupCosineSchedule} learning-rate schedule, and {@link
 * io.github.ssl4j.core.train.DivergenceException}.
 *
 * <p>Randomness: every generator derives from the config seed through {@link
 * io.github.ssl4j.core.train.Seeds#mix}, keyed by purpose and counter, so training resumed from a
 * checkpoint continues bit-identically to an uninterrupted run.
 */
package io.github.ssl4j.core.train;
