package io.github.ssl4j.tasks.vicreg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.tasks.contrastive.ProjectionHead;
import io.github.ssl4j.tasks.contrastive.augment.GaussianNoise;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

/** Contract plus VICReg-specific tests on 8x8x1 images, a tiny conv encoder and a tiny expander. */
class VicRegTaskTest extends PretextTaskContract {

  private static VicRegTask tiny() {
    return VicRegTask.builder()
        .views(MultiViewTransform.of(new GaussianNoise(0.05), 2))
        .projector(ProjectionHead.builder(3, 2).batchNorm(true).bias(false).build())
        .build();
  }

  @Override
  protected PretextTask task() {
    return tiny();
  }

  @Override
  protected Encoder encoder() {
    return TestData.tinyConv(8, 8, 1, 2);
  }

  @Override
  protected Encoder incompatibleEncoder() {
    return TestData.tinyMlp(64, 3);
  }

  @Override
  protected INDArray examples(int n, long seed) {
    // uniform noise images, each dimmed by its own factor so their pooled features differ
    INDArray x = TestData.images(n, 1, 8, 8, seed);
    for (int i = 0; i < n; i++) {
      x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).muli((i + 1.0) / n);
    }
    return x;
  }

  /** The batch norm's running mean and deviation are updated by the forward pass, not by gradients. */
  @Override
  protected java.util.Set<String> gradientCheckExcludedParams() {
    return java.util.Set.of("head/proj1-bn_mean", "head/proj1-bn_log10stdev");
  }

  @Override
  protected double learningRate() {
    return 0.05; // larger steps, so the check meets its target after a few steps
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("VICReg", "needs an encoder with convolutional input");
  }

  @Test
  void scoreIsTheLossOfTheEmbeddings() {
    ComputationGraph net = new ComputationGraph(configuration(new NoOp(), DataType.DOUBLE));
    net.init();
    var batch = tiny().prepare(examples(5, 2), TestData.rng(2));
    INDArray x = batch.getFeatures(0).castTo(DataType.DOUBLE);
    INDArray z = net.feedForward(new INDArray[] {x}, true, false).get("head/proj2");
    net.setInputs(x);
    net.setLabels(batch.getLabels(0).castTo(DataType.DOUBLE));
    net.computeGradientAndScore();
    assertEquals(VicRegLossTest.reference(z.toDoubleMatrix(), 25, 25, 1), net.score(), 1e-12);
  }

  @Test
  void configDefaultsAndValidation() {
    VicRegTask t = VicRegTask.vicreg();
    assertEquals("vicreg", t.config().get("id"));
    assertEquals(25.0, t.config().get("invarianceWeight"));
    assertEquals(25.0, t.config().get("varianceWeight"));
    assertEquals(1.0, t.config().get("covarianceWeight"));
    assertEquals(List.of(512, 512, 512), t.projector().config().get("widths"));
    assertEquals(List.of("head/proj1", "head/proj1-bn", "head/proj2", "head/proj2-bn", "head/proj3",
        VicRegTask.LOSS_VERTEX), t.pretextVertexNames());
    assertEquals(4.95, VicRegTask.builder().weights(1, 5, 1).build().chanceLoss(8).getAsDouble(), 1e-12);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> VicRegTask.builder().weights(25, 25, -1))
        .getMessage().contains("covariance weight must be finite and >= 0"));
  }
}
