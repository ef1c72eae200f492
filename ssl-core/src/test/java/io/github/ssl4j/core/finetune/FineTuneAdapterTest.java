package io.github.ssl4j.core.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.TestGraphs;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.encoders.MlpEncoder;
import io.github.ssl4j.core.eval.ClassifierTrainer;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.eval.Metrics;
import io.github.ssl4j.core.train.Seeds;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

class FineTuneAdapterTest {
  /** 3 blocks: encoder/pool1, encoder/pool2, encoder/gap. */
  private static final ConvEncoder CONV = ConvEncoder.builder(6, 6, 1).channelWidths(2, 3, 4).build();
  private static ComputationGraph trained;
  private static PretrainedEncoder pretrained;
  private static Map<String, INDArray> pretrainedParams;
  private static LabelledData images;

  @BeforeAll
  static void setUp() {
    trained = TestGraphs.pretrained(CONV, 1);
    pretrained = PretrainedEncoder.from(trained, CONV, TestGraphs.metadata(CONV));
    pretrainedParams = snapshot(pretrained.graph());
    Nd4j.getRandom().setSeed(3);
    int n = 48;
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    images = new LabelledData(Nd4j.rand(DataType.FLOAT, n, 1, 6, 6), labels, 3);
  }

  private static Map<String, INDArray> snapshot(ComputationGraph g) {
    Map<String, INDArray> out = new HashMap<>();
    for (GraphVertex v : g.getVertices()) {
      if (v.hasLayer() && v.getLayer().numParams() > 0) {
        out.put(v.getVertexName(), v.getLayer().params().dup());
      }
    }
    return out;
  }

  private static FineTuneAdapter.Builder adapter(FineTuneMode mode) {
    return FineTuneAdapter.builder(pretrained).classification(3).mode(mode)
        .updater(new Adam(0.05)).epochs(2).batchSize(16).seed(5);
  }

  private static void assertPretrainedUntouched() {
    assertEquals(pretrainedParams, snapshot(pretrained.graph()), "pretrained encoder graph modified");
  }

  /** Asserts exactly the given encoder layers are bit-identical to the pretrained ones, others changed. */
  private static void assertFrozen(FineTuneAdapter adapter, ComputationGraph tuned, Set<String> frozen) {
    Map<String, INDArray> after = snapshot(tuned);
    for (Map.Entry<String, INDArray> e : pretrainedParams.entrySet()) {
      INDArray now = after.get(e.getKey());
      if (frozen.contains(e.getKey())) {
        assertArrayEquals(e.getValue().data().asFloat(), now.data().asFloat(), e.getKey() + " should be frozen");
      } else {
        assertNotEquals(e.getValue(), now, e.getKey() + " should have been trained");
      }
    }
    INDArray headBefore = adapter.newGraph().getLayer(FineTuneAdapter.CLASSIFIER).params();
    assertNotEquals(headBefore, after.get(FineTuneAdapter.CLASSIFIER), "head should have been trained");
  }

  @Test
  void seedZeroGivesTheSameHeadAndTheSameFineTuneEveryTime() {
    // ND4J takes seed 0 as "seed from the clock"
    FineTuneAdapter a = adapter(FineTuneMode.FULL).seed(0).build();
    FineTuneAdapter b = adapter(FineTuneMode.FULL).seed(0).build();
    assertEquals(a.newGraph().getLayer(FineTuneAdapter.CLASSIFIER).params(),
        b.newGraph().getLayer(FineTuneAdapter.CLASSIFIER).params());
    assertEquals(a.fit(images).graph().params(), b.fit(images).graph().params());
  }

  @Test
  void asClassifierTrainerTheRepeatSeedDecidesTheFineTune() {
    ClassifierTrainer trainer = adapter(FineTuneMode.FULL).build();
    FineTuned a = (FineTuned) trainer.train(images, 7);
    FineTuned b = (FineTuned) trainer.train(images, 7);
    FineTuned c = (FineTuned) trainer.train(images, 8);
    assertEquals(a.graph().params(), b.graph().params());
    assertNotEquals(a.graph().params(), c.graph().params());
    assertEquals(adapter(FineTuneMode.FULL).build().fit(images).graph().params(),
        ((FineTuned) trainer.train(images)).graph().params(), "train(subset) is fit(subset)");
    assertEquals(Seeds.DEFAULT, FineTuneAdapter.builder(pretrained).classification(3).build().seed());
    assertEquals(a.accuracy(images), Metrics.accuracy(images.labels(), a.predict(images.features())));
    assertPretrainedUntouched();
  }

  @Test
  void linearProbeFreezesWholeEncoderAndTrainsHead() {
    FineTuneAdapter adapter = adapter(FineTuneMode.LINEAR_PROBE).build();
    FineTuned tuned = adapter.fit(images);
    assertFrozen(adapter, tuned.graph(), pretrainedParams.keySet());
    assertPretrainedUntouched();
    assertEquals(48, tuned.predict(images.features()).length);
  }

  @Test
  void partialUnfreezesOnlyTheLastBlocks() {
    FineTuneAdapter adapter = adapter(FineTuneMode.partial(1)).build();
    assertEquals("encoder/pool2", adapter.frozenUpTo());
    FineTuned tuned = adapter.fit(images);
    assertFrozen(adapter, tuned.graph(), Set.of("encoder/conv1", "encoder/bn1", "encoder/conv2", "encoder/bn2"));
    assertPretrainedUntouched();
  }

  @Test
  void fullTrainsEveryEncoderLayerWithLowerEncoderRate() {
    FineTuneAdapter adapter = adapter(FineTuneMode.FULL).encoderLrMultiplier(0.1).build();
    FineTuned tuned = adapter.fit(images);
    assertEquals(0.005, learningRate(tuned.graph(), "encoder/conv1"), 1e-12);
    assertEquals(0.005, learningRate(tuned.graph(), "encoder/bn3"), 1e-12);
    assertEquals(0.05, learningRate(tuned.graph(), FineTuneAdapter.CLASSIFIER), 1e-12);
    assertFrozen(adapter, tuned.graph(), Set.of());
    assertPretrainedUntouched();
    assertEquals(Set.of(VertexNames.INPUT), Set.copyOf(tuned.graph().getConfiguration().getNetworkInputs()));
  }

  private static double learningRate(ComputationGraph g, String vertex) {
    return ((org.deeplearning4j.nn.conf.layers.BaseLayer) g.getLayer(vertex).conf().getLayer())
        .getIUpdater().getLearningRate(0, 0);
  }

  @Test
  void linearProbeLearnsSeparableProblem() {
    MlpEncoder mlp = MlpEncoder.builder(4).hiddenWidths(16).build();
    PretrainedEncoder enc = PretrainedEncoder.from(TestGraphs.pretrained(mlp, 2), mlp, TestGraphs.metadata(mlp));
    LabelledData train = blobs(300, 11);
    LabelledData test = blobs(200, 12);
    FineTuned probe = FineTuneAdapter.builder(enc).classification(2).mode(FineTuneMode.LINEAR_PROBE)
        .updater(new Adam(0.05)).epochs(4).batchSize(50).seed(1).build().fit(train);
    double acc = probe.accuracy(test);
    assertTrue(acc > 0.9, "probe accuracy " + acc);
  }

  /** Two Gaussian blobs at -1.5 and +1.5 in 4-d. */
  private static LabelledData blobs(int n, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[n][4];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      for (int j = 0; j < 4; j++) {
        x[i][j] = (float) ((y[i] == 0 ? -1.5 : 1.5) + r.nextGaussian());
      }
    }
    return new LabelledData(Nd4j.create(x), y, 2);
  }

  @Test
  void rawGraphBuilderCutsEncoderAndLeavesGraphAlone() {
    INDArray before = trained.params().dup();
    FineTuned tuned = FineTuneAdapter.builder(trained, CONV).classification(3).epochs(1).batchSize(16)
        .mode(FineTuneMode.FULL).build().fit(images);
    assertEquals(before, trained.params());
    for (String v : tuned.graph().getConfiguration().getVertices().keySet()) {
      assertTrue(VertexNames.isEncoder(v) || v.equals(FineTuneAdapter.CLASSIFIER), v);
    }
  }

  @Test
  void regressionHead() {
    INDArray targets = Nd4j.rand(DataType.FLOAT, 48, 2);
    FineTuned tuned = FineTuneAdapter.builder(pretrained).regression(2).epochs(1).batchSize(16)
        .build().fit(images.features(), targets);
    assertArrayEquals(new long[] {48, 2}, tuned.output(images.features()).shape());
    assertTrue(tuned.graph().getConfiguration().getVertices().containsKey(FineTuneAdapter.REGRESSOR));
    assertThrows(IllegalStateException.class, () -> tuned.predict(images.features()));
  }

  @Test
  void headWarmupFitsTheHeadAsALinearProbeBeforeTrainingEndToEnd() {
    // main phase with learning rate 0: whatever the head holds afterwards comes from the warm-up alone,
    // which must be exactly a linear probe with the warm-up's updater and epochs
    FineTuned warmedOnly = adapter(FineTuneMode.FULL).updater(new Sgd(0)).headWarmup(3, new Adam(0.05))
        .build().fit(images);
    FineTuned probe = adapter(FineTuneMode.LINEAR_PROBE).updater(new Adam(0.05)).epochs(3).build().fit(images);
    INDArray warmedHead = warmedOnly.graph().getLayer(FineTuneAdapter.CLASSIFIER).params();
    assertEquals(probe.graph().getLayer(FineTuneAdapter.CLASSIFIER).params(), warmedHead);
    assertNotEquals(adapter(FineTuneMode.FULL).build().newGraph().getLayer(FineTuneAdapter.CLASSIFIER).params(),
        warmedHead, "the warm-up did not train the head");
    // with a real main phase the end-to-end training continues from that head
    FineTuneAdapter lpft = adapter(FineTuneMode.FULL).headWarmup(3, new Adam(0.05)).build();
    assertFrozen(lpft, lpft.fit(images).graph(), Set.of());
    assertPretrainedUntouched();
  }

  @Test
  void invalidSettingsRejectedClearly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FineTuneAdapter.builder(pretrained).build());
    assertTrue(e.getMessage().contains("classification(numClasses)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> adapter(FineTuneMode.partial(4)).build());
    assertTrue(e.getMessage().contains("partial(4)") && e.getMessage().contains("(3:"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FineTuneMode.partial(-1));
    assertThrows(IllegalArgumentException.class, () -> adapter(FineTuneMode.FULL).batchSize(0).build());
    assertThrows(IllegalArgumentException.class, () -> adapter(FineTuneMode.FULL).epochs(0).build());
    assertThrows(IllegalArgumentException.class, () -> adapter(FineTuneMode.FULL).encoderLrMultiplier(0).build());
    e = assertThrows(IllegalArgumentException.class,
        () -> adapter(FineTuneMode.LINEAR_PROBE).headWarmup(5, new Adam(0.01)).build());
    assertTrue(e.getMessage().contains("LINEAR_PROBE") && e.getMessage().contains("headWarmup(5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> adapter(FineTuneMode.FULL).headWarmup(-1, new Adam(0.01)).build());
    assertTrue(e.getMessage().contains("got -1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> adapter(FineTuneMode.FULL).classification(1).build());
    FineTuneAdapter ok = adapter(FineTuneMode.FULL).build();
    e = assertThrows(IllegalArgumentException.class,
        () -> ok.fit(new LabelledData(Nd4j.rand(DataType.FLOAT, 4, 36), new int[] {0, 1, 2, 0}, 3)));
    assertTrue(e.getMessage().contains("[4, 36]") && e.getMessage().contains("[batch, 1, 6, 6]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ok.fit(new LabelledData(images.features(), new int[48], 4)));
    assertTrue(e.getMessage().contains("classification(4)"), e.getMessage());
  }

  @Test
  void rowsPicksExamplesOfAnyRank() {
    INDArray x = Nd4j.arange(2 * 3 * 4).reshape(2, 3, 4).castTo(DataType.FLOAT);
    INDArray picked = io.github.ssl4j.core.data.Rows.pull(x, new int[] {1, 1, 0});
    assertArrayEquals(new long[] {3, 3, 4}, picked.shape());
    assertEquals(x.get(NDArrayIndex.point(1)), picked.get(NDArrayIndex.point(0)));
    assertEquals(x.get(NDArrayIndex.point(1)), picked.get(NDArrayIndex.point(1)));
    assertEquals(x.get(NDArrayIndex.point(0)), picked.get(NDArrayIndex.point(2)));
  }
}
