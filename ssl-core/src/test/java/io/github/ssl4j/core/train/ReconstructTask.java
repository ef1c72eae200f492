package io.github.ssl4j.core.train;

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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Test task: denoising reconstruction of a feed-forward input (noise drawn from the given rng). */
record ReconstructTask(double noise) implements PretextTask {
  @Override
  public String id() {
    return "test-reconstruct";
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    if (!(encoder.inputType() instanceof InputType.InputTypeFeedForward ff)) {
      throw new IllegalArgumentException("needs a feed-forward encoder input, got " + encoder.inputType());
    }
    graph.addInputs(VertexNames.INPUT).setInputTypes(encoder.inputType());
    String out = encoder.addTo(graph, VertexNames.INPUT);
    graph.addLayer(VertexNames.loss("recon"),
        new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(encoder.representationSize())
            .nOut(ff.getSize()).activation(Activation.IDENTITY).build(), out);
    graph.setOutputs(VertexNames.loss("recon"));
  }

  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    INDArray x = examples.dup();
    double[] eps = new double[(int) x.length()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = noise * rng.nextGaussian();
    }
    x.addi(Nd4j.create(eps, x.shape(), x.dataType()));
    return new org.nd4j.linalg.dataset.MultiDataSet(x, examples);
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("noise", noise);
  }
}
