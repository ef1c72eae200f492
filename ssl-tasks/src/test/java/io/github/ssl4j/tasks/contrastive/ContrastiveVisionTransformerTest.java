package io.github.ssl4j.tasks.contrastive;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.encoders.VisionTransformer;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.tasks.contrastive.augment.GaussianNoise;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/** The Vision Transformer as the encoder of another image method: SimCLR on it trains. */
class ContrastiveVisionTransformerTest {

  @Test
  void simclrOnATinyVisionTransformerLowersTheLoss() {
    ContrastiveTask task = ContrastiveTask.builder().temperature(0.1)
        .views(MultiViewTransform.of(new GaussianNoise(0.05), 2))
        .projectionHead(ProjectionHead.builder(8, 4).build()).build();
    VisionTransformer vit = VisionTransformer.builder(8, 8, 1, 4).width(8).heads(2).feedForward(8)
        .blocks(1).build();
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(4)
        .updater(new Adam(0.01)).graphBuilder();
    task.buildGraph(g, vit);
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    INDArray x = TestData.images(8, 1, 8, 8, 2);
    for (int i = 0; i < 8; i++) {
      x.get(NDArrayIndex.point(i)).muli((i + 1.0) / 8);
    }
    MultiDataSet batch = task.prepare(x, TestData.rng(1));
    double initial = net.score(batch);
    for (int i = 0; i < 20; i++) {
      net.fit(batch);
    }
    double last = net.score(batch);
    assertTrue(last < 0.7 * initial, "loss " + initial + " -> " + last);
  }
}
