package io.github.ssl4j.tasks.barlowtwins;

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

/** Contract plus Barlow Twins-specific tests on 8x8x1 images, a tiny conv encoder and a tiny projector. */
class BarlowTwinsTaskTest extends PretextTaskContract {

  private static BarlowTwinsTask tiny() {
    return BarlowTwinsTask.builder()
        .lambda(0.1)
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
  protected List<String> rejectionMessageMentions() {
    return List.of("Barlow Twins", "needs an encoder with convolutional input");
  }

  @Test
  void scoreIsTheLossOfTheProjections() {
    ComputationGraph net = new ComputationGraph(configuration(new NoOp(), DataType.DOUBLE));
    net.init();
    var batch = tiny().prepare(examples(5, 2), TestData.rng(2));
    INDArray x = batch.getFeatures(0).castTo(DataType.DOUBLE);
    INDArray z = net.feedForward(new INDArray[] {x}, true, false).get("head/proj2");
    net.setInputs(x);
    net.setLabels(batch.getLabels(0).castTo(DataType.DOUBLE));
    net.computeGradientAndScore();
    assertEquals(BarlowTwinsLossTest.reference(z.toDoubleMatrix(), 0.1), net.score(), 1e-12);
  }

  @Test
  void configDefaultsAndValidation() {
    BarlowTwinsTask t = BarlowTwinsTask.barlowTwins();
    assertEquals("barlowtwins", t.config().get("id"));
    assertEquals(5e-3, t.config().get("lambda"));
    assertEquals(List.of(512, 512, 512), t.projector().config().get("widths"));
    assertEquals(512.0, t.chanceLoss(256).getAsDouble());
    List<String> names = t.pretextVertexNames();
    assertEquals(List.of("head/proj1", "head/proj1-bn", "head/proj2", "head/proj2-bn", "head/proj3",
        BarlowTwinsTask.LOSS_VERTEX), names);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BarlowTwinsTask.builder().lambda(-1))
        .getMessage().contains("lambda must be finite and >= 0, got -1.0"));
    assertThrows(IllegalArgumentException.class,
        () -> BarlowTwinsTask.builder().views(MultiViewTransform.of(new GaussianNoise(0.1), 3)));
  }
}
