package io.github.ssl4j.core.train;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.Activation;

/** Test encoder: two dense layers, dropout on the first so the RNG path is exercised. */
record TinyMlpEncoder(int nIn, int hidden, int nOut) implements Encoder {
  @Override
  public InputType inputType() {
    return InputType.feedForward(nIn);
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    graph.addLayer(VertexNames.encoder("dense1"),
        new DenseLayer.Builder().nIn(nIn).nOut(hidden).activation(Activation.TANH).dropOut(0.8).build(),
        input);
    graph.addLayer(VertexNames.encoder("dense2"),
        new DenseLayer.Builder().nIn(hidden).nOut(nOut).activation(Activation.TANH).build(),
        VertexNames.encoder("dense1"));
    return VertexNames.encoder("dense2");
  }

  @Override
  public InputType outputType() {
    return InputType.feedForward(nOut);
  }

  @Override
  public List<String> blockOutputs() {
    return List.of(VertexNames.encoder("dense1"), VertexNames.encoder("dense2"));
  }
}
