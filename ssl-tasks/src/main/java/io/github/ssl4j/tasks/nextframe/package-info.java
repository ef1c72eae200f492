/**
 * Next-frame prediction on image sequences: {@link io.github.ssl4j.tasks.nextframe.NextFrameTask}
 * (a per-frame encoder, an LSTM or ConvLSTM over time and a per-frame decoder predicting frame
 * {@code t + 1} from frames {@code 1..t}), the frame encoder and decoder presets, frame-quality
 * metrics, and the Moving Fashion-MNIST sequence generator.
 */
package io.github.ssl4j.tasks.nextframe;
