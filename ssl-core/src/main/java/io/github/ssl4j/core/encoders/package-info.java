/**
 * Reference encoders: {@link io.github.ssl4j.core.encoders.MlpEncoder} for vectors, {@link
 * io.github.ssl4j.core.encoders.ConvEncoder}, a small CNN for images (with or without global
 * pooling: a representation vector or a feature map), and {@link
 * io.github.ssl4j.core.encoders.TransformerEncoder}, a BERT-style encoder over token ids.
 *
 * <p>All encoders are immutable, hold no randomness, and name every vertex through {@link
 * io.github.ssl4j.core.VertexNames#encoder(String)}. Layers leave {@code nIn} unset: DL4J infers it
 * from the input types set on the graph builder ({@code graph.setInputTypes(encoder.inputType())}).
 *
 * <pre>{@code
 * Encoder enc = ConvEncoder.small(28, 28, 1);   // 28x28x1 -> 128-d representation
 * ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().graphBuilder()
 *     .addInputs(VertexNames.INPUT).setInputTypes(enc.inputType());
 * String out = enc.addTo(g, VertexNames.INPUT);
 * }</pre>
 */
package io.github.ssl4j.core.encoders;
