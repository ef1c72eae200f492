package io.github.ssl4j.tasks.dino;

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
import io.github.ssl4j.tasks.contrastive.augment.GaussianNoise;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.momentum.MlpHead;
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
import org.nd4j.linalg.ops.transforms.Transforms;

/** Contract plus DINO-specific tests on 8x8x1 images, a tiny conv encoder, a 4-3 head, 5 prototypes. */
class DinoTaskTest extends PretextTaskContract {

  @TempDir Path tmp;

  static DinoTask tiny() {
    return DinoTask.builder()
        .views(MultiViewTransform.of(new GaussianNoise(0.05), 2))
        .head(MlpHead.of("proj", 4, 3).withBatchNorm(false))
        .prototypes(5)
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
  protected List<String> rejectionMessageMentions() {
    return List.of("needs an encoder with convolutional input");
  }

  @Test
  void targetsAreCentredSharpenedTeacherOutputsOfTheOtherViewAndTheCentreFollowsTheBatchMean() {
    ComputationGraph net = new ComputationGraph(configuration(new Adam(1e-2), DataType.DOUBLE));
    net.init();
    MethodState state = tiny().createState(net, 1);
    MultiDataSet prepared = tiny().prepare(examples(3, 1).castTo(DataType.DOUBLE), TestData.rng(1));
    INDArray logits = net.feedForward(new INDArray[] {prepared.getFeatures(0)}, true).get("head/prototypes");
    MultiDataSet batch = state.beforeStep(prepared, 0, 10);
    INDArray expected = Transforms.softmax(logits.div(0.04), true); // centre starts at 0
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(expected.getRow(i + 3).toDoubleVector(), batch.getLabels(0).getRow(i).toDoubleVector(), 1e-12);
      assertArrayEquals(expected.getRow(i).toDoubleVector(), batch.getLabels(0).getRow(i + 3).toDoubleVector(), 1e-12);
    }
    net.fit(batch);
    state.afterStep(0, 10);
    INDArray center = state.arrays().get("center");
    assertArrayEquals(logits.mean(true, 0).mul(0.1).toDoubleVector(), center.toDoubleVector(), 1e-12);
  }

  @Test
  void chanceLossIsLogKAndSettingsAreChecked() {
    assertEquals(Math.log(5), tiny().chanceLoss(8).getAsDouble(), 1e-15);
    assertThrows(IllegalArgumentException.class, () -> DinoTask.builder().prototypes(1));
    assertThrows(IllegalArgumentException.class, () -> DinoTask.builder().teacherTemperature(0));
    assertThrows(IllegalArgumentException.class, () -> DinoTask.builder().centerMomentum(2));
  }

  @Test
  void crashedMidEpochAndResumedEndsBitIdentical() throws IOException {
    ArraySource data = new ArraySource(examples(40, 3));
    TrainingConfig config = TrainingConfig.builder(8).maxSteps(9).dataType(DataType.FLOAT)
        .updater(new Adam(1e-2)).progressBar(false).logEverySteps(0).build();
    ResumeChecks.resumedRunIsBitIdentical(tiny(), encoder(), data, config, 3, 6, tmp);
  }
}
