/**
 * Reference encoders: {@link io.github.ssl4j.core.encoders.MlpEncoder} for vectors and {@link
 * io.github.ssl4j.core.encoders.ConvEncoder}, the small CNN of workload W1 (and, without global
 * pooling, the feature-map encoder of W2).
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
