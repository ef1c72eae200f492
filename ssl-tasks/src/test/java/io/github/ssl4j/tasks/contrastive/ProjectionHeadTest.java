package io.github.ssl4j.tasks.contrastive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ProjectionHeadTest {

  private static ComputationGraphConfiguration.GraphBuilder builder(int nIn) {
    return new NeuralNetConfiguration.Builder()
        .seed(1)
        .graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.feedForward(nIn));
  }

  @Test
  void w1HeadBuildsWithStableNamesAndOutputSize() {
    ProjectionHead head = ProjectionHead.simclr();
    assertEquals(List.of("head/proj1", "head/proj2"), head.vertexNames());
    assertEquals(64, head.outputSize());

    ComputationGraphConfiguration.GraphBuilder g = builder(128);
    String out = head.addTo(g, "input");
    assertEquals("head/proj2", out);
    assertEquals(head.outputVertex(), out);
    ComputationGraphConfiguration conf = g.setOutputs(out).build();

    DenseLayer first = (DenseLayer) ((LayerVertex) conf.getVertices().get("head/proj1"))
        .getLayerConf().getLayer();
    DenseLayer last = (DenseLayer) ((LayerVertex) conf.getVertices().get("head/proj2"))
        .getLayerConf().getLayer();
    assertEquals(128, first.getNIn());
    assertEquals(128, first.getNOut());
    assertTrue(first.getActivationFn() instanceof ActivationReLU);
    assertEquals(128, last.getNIn());
    assertEquals(64, last.getNOut());
    assertTrue(last.getActivationFn() instanceof ActivationIdentity);

    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    assertArrayEquals(new long[] {5, 64},
        graph.outputSingle(Nd4j.rand(DataType.FLOAT, 5, 128)).shape());
  }

  @Test
  void configurableWidthsAndActivation() {
    ProjectionHead head =
        ProjectionHead.builder(16, 8, 4).activation(Activation.TANH).bias(false).build();
    assertEquals(List.of("head/proj1", "head/proj2", "head/proj3"), head.vertexNames());
    assertEquals(4, head.outputSize());
    assertEquals(InputType.feedForward(4), head.outputType());
    ComputationGraphConfiguration.GraphBuilder g = builder(10);
    ComputationGraphConfiguration conf = g.setOutputs(head.addTo(g, "input")).build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    assertEquals(10 * 16 + 16 * 8 + 8 * 4, graph.numParams());
    assertArrayEquals(new long[] {3, 4},
        graph.outputSingle(Nd4j.rand(DataType.FLOAT, 3, 10)).shape());
    assertEquals(head, ProjectionHead.builder(16, 8, 4).activation(Activation.TANH).bias(false)
        .build());
  }

  @Test
  void rejectsInvalidWidthsAndDuplicateVertices() {
    assertThrows(IllegalArgumentException.class, () -> ProjectionHead.builder());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProjectionHead.builder(128, 0).build());
    assertTrue(e.getMessage().contains("layer 2 width must be >= 1, got 0"), e.getMessage());

    ComputationGraphConfiguration.GraphBuilder g = builder(8);
    ProjectionHead.simclr().addTo(g, "input");
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
        () -> ProjectionHead.simclr().addTo(g, "head/proj2"));
    assertTrue(dup.getMessage().contains("'head/proj1' already exists"), dup.getMessage());
  }

  @Test
  void batchNormAndNamedHeadsShareAGraph() {
    ProjectionHead projector = ProjectionHead.builder(6, 4).batchNorm(true).outputBatchNorm(true).build();
    ProjectionHead predictor = ProjectionHead.builder(3, 4).name("pred").batchNorm(true)
        .activation(Activation.TANH).build();
    assertEquals(List.of("head/proj1", "head/proj1-bn", "head/proj2", "head/proj2-bn"), projector.vertexNames());
    assertEquals(List.of("head/pred1", "head/pred1-bn", "head/pred1-act", "head/pred2"), predictor.vertexNames());
    assertEquals("head/proj2-bn", projector.outputVertex());
    ComputationGraphConfiguration.GraphBuilder g = builder(5);
    String z = projector.addTo(g, "input");
    assertEquals(projector.outputVertex(), z);
    String p = predictor.addTo(g, z);
    ComputationGraph graph = new ComputationGraph(g.setOutputs(p).build());
    graph.init();
    // dense layers before a batch norm have no bias; batch norms: gamma, beta, mean, deviation;
    // the output batch norm keeps gamma 1 and beta 0 (no parameters of its own to learn)
    long expected = 5 * 6 + 4 * 6 + 6 * 4 + 4 * 2 + 4 * 3 + 4 * 3 + 3 * 4 + 4;
    assertEquals(expected, graph.numParams());
    var out = graph.feedForward(Nd4j.rand(DataType.FLOAT, 8, 5), true);
    var normalised = out.get("head/proj2-bn");
    assertEquals(0, normalised.mean(0).amaxNumber().doubleValue(), 1e-5); // zero mean along the batch
    assertArrayEquals(new long[] {8, 4}, out.get(p).shape());
    assertTrue(projector.config().containsKey("batchNorm"));
    assertTrue(!ProjectionHead.simclr().config().containsKey("batchNorm"), "SimCLR's settings are unchanged");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ProjectionHead.builder(4).name("pred/x"))
        .getMessage().contains("letters and digits"));
    assertTrue(!projector.equals(ProjectionHead.builder(6, 4).batchNorm(true).build()));
  }
}
