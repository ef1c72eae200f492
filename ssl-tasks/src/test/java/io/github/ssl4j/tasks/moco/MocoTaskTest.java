package io.github.ssl4j.tasks.moco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.MethodState;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.tasks.contrastive.ProjectionHead;
import io.github.ssl4j.tasks.contrastive.augment.GaussianNoise;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.testing.ResumeChecks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/** Contract plus MoCo-specific tests on 8x8x1 images, a tiny conv encoder, a 4-8 head, queue 10. */
class MocoTaskTest extends PretextTaskContract {

  @TempDir Path tmp;

  static MocoTask tiny() {
    return MocoTask.builder()
        .views(MultiViewTransform.of(new GaussianNoise(0.3), 2))
        .projectionHead(ProjectionHead.builder(4, 8).build())
        .queueSize(10)
        .build();
  }

  @Override
  protected PretextTask task() {
    return tiny();
  }

  @Override
  protected Encoder encoder() {
    return TestData.tinyConv(8, 8, 1, 4);
  }

  @Override
  protected Encoder incompatibleEncoder() {
    return TestData.tinyMlp(64, 3);
  }

  @Override
  protected INDArray examples(int n, long seed) {
    INDArray x = TestData.images(n, 1, 8, 8, seed);
    for (int i = 0; i < n; i++) {
      x.get(NDArrayIndex.point(i)).muli((i + 1.0) / n);
    }
    return x;
  }

  @Override
  protected double learningRate() {
    return 0.05;
  }

  /**
   * The key encoder starts as a copy of the query encoder, so queries already sit near their keys
   * (initial loss about 0.09) and the fixed keys and random negatives of one batch bound how far the
   * loss can fall; 0.8 x initial still fails when no gradient reaches the encoder.
   */
  @Override
  protected double overfitLossRatio() {
    return 0.8;
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("needs an encoder with convolutional input");
  }

  @Test
  void queriesAreViewOneKeysAreTheKeyEncodersUnitOutputsOfViewTwoAndTheQueueIsARingBuffer() {
    ComputationGraph net = new ComputationGraph(configuration(new Adam(1e-2), DataType.DOUBLE));
    net.init();
    MethodState state = tiny().createState(net, 5);
    INDArray queue = state.arrays().get("queue");
    assertArrayEquals(new long[] {10, 8}, queue.shape());
    assertEquals(1.0, queue.norm2(1).minNumber().doubleValue(), 1e-12);
    INDArray before = queue.dup();
    long steps = 3;
    INDArray lastKeys = null;
    for (long s = 0; s < steps; s++) {
      MultiDataSet prepared = tiny().prepare(examples(4, s).castTo(DataType.DOUBLE), TestData.rng(s));
      INDArray keyViews = prepared.getFeatures(0).get(NDArrayIndex.interval(4, 8));
      INDArray expectedKeys = net.feedForward(new INDArray[] {keyViews}, true).get("head/proj2");
      MultiDataSet batch = state.beforeStep(prepared, s, steps);
      assertEquals(prepared.getFeatures(0).get(NDArrayIndex.interval(0, 4)), batch.getFeatures(0));
      if (s == 0) { // the key encoder is still a copy of the query encoder
        INDArray unit = expectedKeys.divColumnVector(expectedKeys.norm2(1));
        assertArrayEquals(unit.dup('c').data().asDouble(), batch.getLabels(0).dup('c').data().asDouble(), 1e-9);
      }
      lastKeys = batch.getLabels(0).dup();
      net.fit(batch);
      state.afterStep(s, steps);
    }
    // 3 steps of 4 keys into 10 rows: rows 0-7 and 8-9 then wrap to 0-1; last keys at 8, 9, 0, 1
    assertEquals(2L, state.arrays().get("queuePosition").getLong(0));
    assertEquals(lastKeys.getRow(0), queue.getRow(8));
    assertEquals(lastKeys.getRow(1), queue.getRow(9));
    assertEquals(lastKeys.getRow(2), queue.getRow(0));
    assertEquals(lastKeys.getRow(3), queue.getRow(1));
    assertEquals(before.rows(), queue.rows());
  }

  @Test
  void chanceLossIsLogOfQueuePlusOneAndSettingsAreChecked() {
    assertEquals(Math.log(11), tiny().chanceLoss(8).getAsDouble(), 1e-15);
    assertThrows(IllegalArgumentException.class, () -> MocoTask.builder().queueSize(0));
    assertThrows(IllegalArgumentException.class, () -> MocoTask.builder().momentum(1.01));
    assertThrows(IllegalArgumentException.class, () -> MocoTask.builder().temperature(-1));
    assertThrows(IllegalArgumentException.class,
        () -> MocoTask.builder().views(MultiViewTransform.of(new GaussianNoise(0.1), 3)));
  }

  @Test
  void crashedMidEpochAndResumedEndsBitIdentical() throws IOException {
    ArraySource data = new ArraySource(examples(40, 3));
    TrainingConfig config = TrainingConfig.builder(8).maxSteps(9).dataType(DataType.FLOAT)
        .updater(new Adam(1e-2)).progressBar(false).logEverySteps(0).build();
    ResumeChecks.resumedRunIsBitIdentical(tiny(), encoder(), data, config, 3, 6, tmp);
  }
}
