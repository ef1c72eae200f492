/**
 * Transformer building blocks as DL4J layers (issue 5): layer normalisation over the feature
 * dimension of recurrent activations ({@code [batch, features, time]}, DL4J's NCW format as used by
 * {@code EmbeddingSequenceLayer} and {@code SelfAttentionLayer}). Every layer here is built on
 * {@link io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer} (DL4J bug B2) and gradient-checked.
 */
package io.github.ssl4j.core.layers;
