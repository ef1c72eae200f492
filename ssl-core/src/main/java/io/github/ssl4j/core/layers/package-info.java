/**
 * DL4J layers that DL4J 1.0.0-M2.1 lacks or runs slowly.
 *
 * <p>Drop-in replacements with DL4J's parameters and gradients, each tested against the DL4J layer
 * it replaces: {@link io.github.ssl4j.core.layers.SingleForwardConvolution}, {@link
 * io.github.ssl4j.core.layers.SingleForwardDeconvolution} and {@link
 * io.github.ssl4j.core.layers.SingleForwardLstm} (no second forward pass inside backprop), {@link
 * io.github.ssl4j.core.layers.BatchNormRelu}.
 *
 * <p>New layers, each built on {@link io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer} (DL4J bug
 * B2) and gradient-checked in double precision. They take and give DL4J's sequence format {@code
 * [batch, features, time]} (NCW, as {@code EmbeddingSequenceLayer} and {@code SelfAttentionLayer}
 * use):
 *
 * <ul>
 *   <li>{@link io.github.ssl4j.core.layers.ConvLstm}: a convolutional LSTM over sequences of feature
 *       maps (flattened per time step);
 *   <li>{@link io.github.ssl4j.core.layers.LayerNormalization}: layer normalisation over the
 *       feature dimension, the first transformer building block.
 * </ul>
 */
package io.github.ssl4j.core.layers;
