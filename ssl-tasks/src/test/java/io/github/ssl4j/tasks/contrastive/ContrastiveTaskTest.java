package io.github.ssl4j.tasks.contrastive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import io.github.ssl4j.tasks.contrastive.augment.GaussianNoise;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Contract plus SimCLR-specific tests on 8x8x1 images, a tiny conv encoder and a 4-3 head. */
class ContrastiveTaskTest extends PretextTaskContract {

  private static ContrastiveTask tiny() {
    // mild views (noise only) so a tiny encoder can tell the 8 images apart; temperature 0.1: at 0.5 the loss floor of 16 views in 3-d is about 0.36 x ln(15), too close
    // to the contract's 0.5 x initial overfit target for a 2-filter encoder
    return ContrastiveTask.builder()
        .temperature(0.1)
        .views(MultiViewTransform.of(new GaussianNoise(0.05), 2))
        .projectionHead(ProjectionHead.builder(4, 3).build())
        .build();
  }

  @Override
  protected PretextTask task() {
    return tiny();
  }

  @Override
  protected Encoder encoder() {
    return TestData.tinyConv(8, 8, 1, 8);
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
      x.get(NDArrayIndex.point(i)).muli((i + 1.0) / n);
    }
    return x;
  }

  @Override
  protected double learningRate() {
    return 0.05; // a 9-weight-per-filter encoder needs larger steps to separate 8 images
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("needs an encoder with convolutional input");
  }

  @Test
  void labelsPairRowIWithRowIPlusNAndInputIsUntouched() {
    INDArray x = examples(4, 1);
    INDArray before = x.dup();
    MultiDataSet b = tiny().prepare(x, TestData.rng(3));
    assertArrayEquals(new long[] {8, 1, 8, 8}, b.getFeatures(0).shape());
    INDArray labels = b.getLabels(0);
    assertEquals(8, labels.size(0));
    for (int i = 0; i < 4; i++) {
      assertEquals(labels.getDouble(i, 0), labels.getDouble(i + 4, 0), 0.0);
      assertEquals(i, labels.getDouble(i, 0), 0.0);
    }
    assertArrayEquals(before.data().asFloat(), x.data().asFloat(), 0f);
  }

  @Test
  void rejectsBadTemperatureAndBatches() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ContrastiveTask.builder().temperature(0))
            .getMessage()
            .contains("temperature must be finite and > 0, got 0.0"));
    assertThrows(IllegalArgumentException.class, () -> ContrastiveTask.builder().temperature(-1));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> tiny().prepare(examples(1, 1), TestData.rng(1)))
            .getMessage()
            .contains("at least 2 images per batch"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> tiny().prepare(TestData.blobs(4, 8, 1), TestData.rng(1)))
            .getMessage()
            .contains("got shape [4, 8]"));
  }

  @Test
  void configAndVertexNames() {
    ContrastiveTask t = tiny();
    assertEquals("contrastive", t.config().get("id"));
    assertEquals(0.1, t.config().get("temperature"));
    assertEquals(0.5, ContrastiveTask.simclr().temperature());
    assertEquals(List.of(4, 3), t.config().get("headWidths"));
    List<String> names = t.pretextVertexNames();
    assertEquals(ContrastiveTask.LOSS_VERTEX, names.get(names.size() - 1));
    assertEquals("loss/infonce", ContrastiveTask.LOSS_VERTEX);
    assertTrue(names.containsAll(t.projectionHead().vertexNames()));
  }
}
