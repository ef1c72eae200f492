package io.github.ssl4j.tasks.mae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.layers.PositionEmbedding;
import io.github.ssl4j.core.testing.TestData;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The gather and scatter vertices: values against a loop, gradients, JSON, bad indices. */
class PatchSelectionVerticesTest {
  private static final int N = 5;
  private static final int K = 2;

  /** x [b, 3, 5] + P → gather → dense 3→4 per token → scatter → [b, 4, 5] → tanh/MSE output. */
  private static ComputationGraph graph(DataType dt) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(2).updater(new NoOp()).dataType(dt).graphBuilder()
        .addInputs("x", "idx").setInputTypes(InputType.recurrent(3, N), InputType.feedForward(K))
        .addLayer("pos", new PositionEmbedding(3, N), "x")
        .addVertex("gather", new VisiblePatchGather(N), "pos", "idx")
        .addLayer("dense", new TimeDistributed(new DenseLayer.Builder().nIn(3).nOut(4)
            .activation(Activation.TANH).build(), RNNFormat.NCW), "gather")
        .addVertex("scatter", new PatchScatter(N), "dense", "idx")
        .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2)
            .activation(Activation.TANH).dataFormat(RNNFormat.NCW).build(), "scatter")
        .setOutputs("out", "gather");
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    return net;
  }

  private static INDArray indices() {
    return Nd4j.create(new double[][] {{3, 0}, {1, 4}, {2, 3}});
  }

  @Test
  void gatherKeepsTheListedTokensAndScatterPutsThemBack() {
    ComputationGraph net = graph(DataType.DOUBLE);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 3, N);
    INDArray idx = indices();
    INDArray pos = net.feedForward(new INDArray[] {x, idx}, false).get("pos");
    INDArray gathered = net.feedForward(new INDArray[] {x, idx}, false).get("gather");
    INDArray dense = net.feedForward(new INDArray[] {x, idx}, false).get("dense");
    INDArray scattered = net.feedForward(new INDArray[] {x, idx}, false).get("scatter");
    for (int i = 0; i < 3; i++) {
      for (int k = 0; k < K; k++) {
        int t = idx.getInt(i, k);
        for (int c = 0; c < 3; c++) {
          assertEquals(pos.getDouble(i, c, t), gathered.getDouble(i, c, k), 0.0);
        }
      }
      for (int t = 0; t < N; t++) {
        int k = idx.getInt(i, 0) == t ? 0 : idx.getInt(i, 1) == t ? 1 : -1;
        for (int c = 0; c < 4; c++) {
          assertEquals(k < 0 ? 0.0 : dense.getDouble(i, c, k), scattered.getDouble(i, c, t), 0.0);
        }
      }
    }
  }

  @Test
  void passGradientCheckInDoublePrecision() {
    DataType old = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      ComputationGraph g = graph(DataType.DOUBLE);
      // single output for the check: the same graph with only the loss
      ComputationGraphConfiguration conf = g.getConfiguration().clone();
      conf.setNetworkOutputs(java.util.List.of("out"));
      ComputationGraph net = new ComputationGraph(conf);
      net.init();
      INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 3, N);
      INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 2, N).subi(0.5);
      // the position table reaches the loss only through the gather's backward pass (a scatter),
      // the dense layer only through the scatter's backward pass (a gather)
      assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
          .inputs(new INDArray[] {x, indices()}).labels(new INDArray[] {y})));
    } finally {
      Nd4j.setDefaultDataTypes(old, old);
    }
  }

  @Test
  void survivesJsonAndRejectsBadIndices() {
    ComputationGraph net = graph(DataType.FLOAT);
    String json = net.getConfiguration().toJson();
    assertEquals(json, ComputationGraphConfiguration.fromJson(json).toJson());
    INDArray x = TestData.gaussian(3, 3 * N, 1).reshape(3, 3, N);
    for (double[][] bad : new double[][][] {{{0, 0}, {1, 2}, {3, 4}}, {{0, 5}, {1, 2}, {3, 4}},
        {{0, 1.5}, {1, 2}, {3, 4}}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> net.output(x, Nd4j.create(bad).castTo(DataType.FLOAT)));
      assertTrue(e.getMessage().contains("distinct integer in [0, 5)"), e.getMessage());
    }
  }
}
