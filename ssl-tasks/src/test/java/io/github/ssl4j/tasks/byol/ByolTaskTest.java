package io.github.ssl4j.tasks.byol;

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
import java.util.Set;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/** Contract plus BYOL-specific tests on 8x8x1 images, a tiny conv encoder and 4-3 heads. */
class ByolTaskTest extends PretextTaskContract {

  @TempDir Path tmp;

  static ByolTask tiny() {
    return ByolTask.builder()
        .views(MultiViewTransform.of(new GaussianNoise(0.05), 2))
        .projector(MlpHead.of("proj", 4, 3))
        .predictor(MlpHead.of("pred", 4, 3))
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

  /** Batch normalisation's running mean and deviation are averaged, not trained by gradients. */
  @Override
  protected Set<String> gradientCheckExcludedParams() {
    return Set.of("head/proj1bn_mean", "head/proj1bn_log10stdev", "head/pred1bn_mean",
        "head/pred1bn_log10stdev");
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("needs an encoder with convolutional input");
  }

  @Test
  void targetsAreTheTargetNetworksProjectionsOfTheOtherView() {
    ComputationGraph net = new ComputationGraph(configuration(new Adam(1e-2), DataType.DOUBLE));
    net.init();
    MultiDataSet prepared = tiny().prepare(examples(3, 1).castTo(DataType.DOUBLE), TestData.rng(1));
    MultiDataSet batch = tiny().createState(net, 1).beforeStep(prepared, 0, 10);
    INDArray z = net.feedForward(new INDArray[] {prepared.getFeatures(0)}, true).get("head/proj2");
    INDArray labels = batch.getLabels(0);
    for (int i = 0; i < 3; i++) {
      assertEquals(z.getRow(i + 3), labels.getRow(i), "view 1 of image " + i);
      assertEquals(z.getRow(i), labels.getRow(i + 3), "view 2 of image " + i);
    }
  }

  @Test
  void targetMovesByTheCosineMomentumAfterEachStep() {
    ComputationGraph net = new ComputationGraph(configuration(new Adam(1e-2), DataType.DOUBLE));
    net.init();
    INDArray start = net.params().dup();
    MethodState state = ByolTask.builder().views(MultiViewTransform.of(new GaussianNoise(0.05), 2))
        .projector(MlpHead.of("proj", 4, 3)).predictor(MlpHead.of("pred", 4, 3)).baseMomentum(0.9)
        .build().createState(net, 1);
    net.fit(state.beforeStep(tiny().prepare(examples(4, 2).castTo(DataType.DOUBLE), TestData.rng(2)), 5, 10));
    state.afterStep(5, 10);
    double m = 1 - 0.1 * (Math.cos(Math.PI * 0.5) + 1) / 2;
    INDArray expected = start.mul(m).addi(net.params().mul(1 - m));
    assertArrayEquals(expected.toDoubleVector(), state.arrays().get("target").toDoubleVector(), 1e-15);
  }

  @Test
  void predictorMustMatchTheProjectorAndHeadsNeedDistinctNames() {
    assertThrows(IllegalArgumentException.class,
        () -> ByolTask.builder().projector(MlpHead.of("proj", 4, 3)).predictor(MlpHead.of("pred", 4, 2)).build());
    assertThrows(IllegalArgumentException.class,
        () -> ByolTask.builder().projector(MlpHead.of("a", 4, 3)).predictor(MlpHead.of("a", 4, 3)).build());
    assertThrows(IllegalArgumentException.class, () -> ByolTask.builder().baseMomentum(1.5));
  }

  @Test
  void crashedMidEpochAndResumedEndsBitIdentical() throws IOException {
    ArraySource data = new ArraySource(examples(40, 3));
    TrainingConfig config = TrainingConfig.builder(8).maxSteps(9).dataType(DataType.FLOAT)
        .updater(new Adam(1e-2)).progressBar(false).logEverySteps(0).build();
    ResumeChecks.resumedRunIsBitIdentical(tiny(), encoder(), data, config, 3, 6, tmp);
  }
}
