/**
 * Custom DL4J layers that DL4J 1.0.0-M2.1 lacks, each built on {@link
 * io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer} (DL4J bug B2) and gradient-checked in double
 * precision. They take and give DL4J's sequence format {@code [batch, features, time]} (NCW, as
 * {@code EmbeddingSequenceLayer} and {@code SelfAttentionLayer} use):
 *
 * <ul>
 *   <li>{@link io.github.ssl4j.core.layers.ConvLstm}: a convolutional LSTM over sequences of feature
 *       maps (flattened per time step);
 *   <li>{@link io.github.ssl4j.core.layers.LayerNormalization}: layer normalisation over the
 *       feature dimension, the first transformer building block.
 * </ul>
 */
package io.github.ssl4j.core.layers;
