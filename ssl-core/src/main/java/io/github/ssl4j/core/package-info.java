/**
 * The ssl4j core API: {@link io.github.ssl4j.core.Encoder}, {@link io.github.ssl4j.core.Decoder}
 * and {@link io.github.ssl4j.core.PretextTask} describe a pretraining graph by named vertices
 * ({@link io.github.ssl4j.core.VertexNames}); {@link io.github.ssl4j.core.PretrainedEncoder} is the
 * trained encoder cut out of it, with {@code embed}, {@code save} and {@code load}.
 *
 * <pre>{@code
 * TrainingResult r = new Trainer(TrainingConfig.builder(256).epochs(5).build())
 *     .fit(task, encoder, new ArraySource(images));
 * PretrainedEncoder enc = PretrainedEncoder.from(r.graph(), encoder, r.metadata());
 * INDArray features = enc.embed(images);   // [n, representationSize]
 * }</pre>
 */
package io.github.ssl4j.core;
