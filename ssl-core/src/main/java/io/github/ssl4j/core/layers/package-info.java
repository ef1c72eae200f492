/**
 * Custom DL4J layers that DL4J 1.0.0-M2.1 lacks, each gradient-checked in double precision (e.g.
 * {@link io.github.ssl4j.core.layers.ConvLstm}, a convolutional LSTM over sequences of feature
 * maps).
 */
package io.github.ssl4j.core.layers;
