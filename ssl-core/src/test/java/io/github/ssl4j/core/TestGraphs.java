package io.github.ssl4j.core;

import java.time.Instant;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Tiny "pretraining" graphs for tests: encoder -> head/proj -> loss/out, briefly trained. */
public final class TestGraphs {
  private TestGraphs() {}

  /** A graph with the encoder, a head and a loss, fitted a few steps on random data. */
  public static ComputationGraph pretrained(Encoder encoder, long seed) {
    ComputationGraphConfiguration.GraphBuilder g =
        new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
            .updater(new Adam(1e-2)).graphBuilder()
            .addInputs(VertexNames.INPUT)
            .setInputTypes(encoder.inputType());
    String out = encoder.addTo(g, VertexNames.INPUT);
    String rep = Representations.addTo(g, out, encoder.outputType());
    g.addLayer(VertexNames.head("proj"), new DenseLayer.Builder().nOut(4).activation(Activation.RELU).build(), rep);
    g.addLayer(VertexNames.loss("out"),
        new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nOut(2).build(),
        VertexNames.head("proj"));
    g.setOutputs(VertexNames.loss("out"));
    ComputationGraph graph = new ComputationGraph(g.build());
    graph.init();
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.rand(DataType.FLOAT, inputShape(encoder, 16));
    INDArray y = Nd4j.rand(DataType.FLOAT, 16, 2);
    for (int i = 0; i < 3; i++) {
      graph.fit(new DataSet(x, y));
    }
    return graph;
  }

  /** Shape [batch, ...] of the encoder's input. */
  public static long[] inputShape(Encoder encoder, long batch) {
    var t = encoder.inputType();
    if (t instanceof org.deeplearning4j.nn.conf.inputs.InputType.InputTypeConvolutional c) {
      return new long[] {batch, c.getChannels(), c.getHeight(), c.getWidth()};
    }
    return new long[] {batch, Representations.size(t)};
  }

  public static ModelMetadata metadata(Encoder encoder) {
    return new ModelMetadata("test-task", Map.of("temperature", 0.5, "views", 2, "name", "x"),
        encoder.describe(), encoder.inputType().toString(), encoder.blockOutputs(),
        encoder.representationSize(), 7L, 3L, Versions.ssl4j(), Versions.dl4j(),
        Instant.parse("2026-11-28T04:00:00Z").toString());
  }
}
