package com.example.consumer;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A pretext task written by the application: hide a quarter of the features, reconstruct all. */
final class MaskedFeatureTask implements PretextTask {
  static final String ID = "consumer-masked-feature";
  static final String OUT = VertexNames.loss("reconstruction");

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    if (!(encoder.inputType() instanceof InputType.InputTypeFeedForward ff)) {
      throw new IllegalArgumentException(
          "MaskedFeatureTask needs a feed-forward encoder input, got " + encoder.inputType());
    }
    graph.addInputs(VertexNames.INPUT).setInputTypes(encoder.inputType());
    String enc = encoder.addTo(graph, VertexNames.INPUT);
    graph.addLayer(
        OUT,
        new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .nOut(ff.getSize())
            .activation(Activation.IDENTITY)
            .build(),
        enc);
    graph.setOutputs(OUT);
  }

  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    INDArray hidden = examples.dup();
    for (long i = 0; i < hidden.size(0); i++) {
      for (long j = 0; j < hidden.size(1); j++) {
        if (rng.nextDouble() < 0.25) {
          hidden.putScalar(i, j, 0.0);
        }
      }
    }
    return new org.nd4j.linalg.dataset.MultiDataSet(hidden, examples);
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("hideProbability", 0.25);
  }
}
