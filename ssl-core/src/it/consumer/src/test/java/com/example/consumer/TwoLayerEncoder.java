package com.example.consumer;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.Activation;

/** An encoder written by the application, not by ssl4j. */
record TwoLayerEncoder(int inputSize, int hidden, int outputSize) implements Encoder {
  static final String D1 = VertexNames.encoder("d1");
  static final String D2 = VertexNames.encoder("d2");

  @Override
  public InputType inputType() {
    return InputType.feedForward(inputSize);
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    graph.addLayer(D1, new DenseLayer.Builder().nOut(hidden).activation(Activation.RELU).build(), input);
    graph.addLayer(D2, new DenseLayer.Builder().nOut(outputSize).activation(Activation.TANH).build(), D1);
    return D2;
  }

  @Override
  public InputType outputType() {
    return InputType.feedForward(outputSize);
  }

  @Override
  public List<String> blockOutputs() {
    return List.of(D1, D2);
  }
}
