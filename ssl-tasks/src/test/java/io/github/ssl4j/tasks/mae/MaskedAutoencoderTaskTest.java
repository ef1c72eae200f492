package io.github.ssl4j.tasks.mae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.VisionTransformer;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Contract plus MAE-specific tests: the loss against a naive loop, the masking counts, the encoder
 * cut out after pretraining on all patches, and a short run. The contract runs a tiny ViT on 4x4
 * grey images with 2x2 patches (4 tokens of width 4, 2 of them visible).
 */
class MaskedAutoencoderTaskTest extends PretextTaskContract {

  private static VisionTransformer vit(int h, int w, int c, int patch) {
    return VisionTransformer.builder(h, w, c, patch).width(4).heads(2).feedForward(4).blocks(1).build();
  }

  private static MaskedAutoencoderTask tiny() {
    return MaskedAutoencoderTask.builder(2).maskRatio(0.5).decoderWidth(4).decoderHeads(2).decoderFeedForward(4)
        .decoderBlocks(1).build();
  }

  @Override
  protected PretextTask task() {
    return tiny();
  }

  @Override
  protected Encoder encoder() {
    return vit(4, 4, 1, 2);
  }

  @Override
  protected Encoder incompatibleEncoder() {
    return TestData.tinyConv(4, 4, 1, 4);
  }

  @Override
  protected INDArray examples(int n, long seed) {
    return TestData.images(n, 1, 4, 4, seed);
  }

  @Override
  protected double learningRate() {
    return 0.01;
  }

  /**
   * Checked here: the encoder's patch bias and position table (reached only through the blocks
   * and the gather's backward pass), the decoder embedding (only through the scatter's backward
   * pass) and the pixel prediction of the loss layer. The other parameters belong to layers
   * checked on their own (TransformerLayersTest, VisionTransformerTest) and only add time: each
   * checked entry costs two forward passes.
   */
  @Override
  protected Set<String> gradientCheckExcludedParams() {
    ComputationGraph net = new ComputationGraph(configuration(new NoOp(), DataType.DOUBLE));
    net.init();
    return net.paramTable().keySet().stream().filter(p -> p.contains("/block")
        || p.contains("norm_") || p.equals("encoder/patches_W") || p.startsWith("decoder/positions_"))
        .collect(Collectors.toSet());
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("VisionTransformer");
  }

  private static ComputationGraph graph(MaskedAutoencoderTask task, VisionTransformer vit, DataType dt) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(3).updater(new NoOp()).dataType(dt).graphBuilder();
    task.buildGraph(g, vit);
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    return net;
  }

  /** MAE's loss written out: per-patch normalised pixels, mean squared error over masked patches. */
  private static double naiveLoss(INDArray images, INDArray visible, INDArray pred, int patch,
      boolean normalise) {
    int b = (int) images.size(0);
    int c = (int) images.size(1);
    int gw = (int) images.size(3) / patch;
    int n = (int) (images.size(2) / patch) * gw;
    int p = c * patch * patch;
    double sum = 0;
    int masked = 0;
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < n; t++) {
        boolean isVisible = false;
        for (int k = 0; k < visible.size(1); k++) {
          isVisible |= visible.getDouble(i, k) == t;
        }
        if (isVisible) {
          continue;
        }
        masked++;
        double[] px = new double[p];
        for (int ch = 0; ch < c; ch++) {
          for (int u = 0; u < patch; u++) {
            for (int v = 0; v < patch; v++) {
              px[(ch * patch + u) * patch + v] =
                  images.getDouble(i, ch, (t / gw) * patch + u, (t % gw) * patch + v);
            }
          }
        }
        if (normalise) {
          double mean = 0;
          for (double x : px) {
            mean += x / p;
          }
          double var = 0;
          for (double x : px) {
            var += (x - mean) * (x - mean) / (p - 1);
          }
          for (int j = 0; j < p; j++) {
            px[j] = (px[j] - mean) / Math.sqrt(var + 1e-6);
          }
        }
        for (int j = 0; j < p; j++) {
          double d = pred.getDouble(i, j, t) - px[j];
          sum += d * d;
        }
      }
    }
    return sum / ((double) p * masked);
  }

  @Test
  void lossEqualsANaiveLoopOverShapesAndRatios() {
    DataType old = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      // {batch, channels, height, width, patch, ratio percent, normalise}
      int[][] cases = {{2, 1, 8, 8, 2, 75, 1}, {3, 3, 8, 4, 2, 50, 1}, {2, 1, 12, 12, 4, 60, 0},
          {1, 2, 6, 6, 3, 25, 1}, {4, 1, 8, 8, 4, 75, 0}};
      for (int[] s : cases) {
        MaskedAutoencoderTask task = MaskedAutoencoderTask.builder(s[4]).maskRatio(s[5] / 100.0)
            .normalisePixels(s[6] == 1).decoderWidth(4).decoderHeads(2).decoderFeedForward(4)
            .decoderBlocks(1).build();
        VisionTransformer enc = vit(s[2], s[3], s[1], s[4]);
        ComputationGraph net = graph(task, enc, DataType.DOUBLE);
        INDArray images = TestData.images(s[0], s[1], s[2], s[3], s[0] + s[2]).castTo(DataType.DOUBLE);
        MultiDataSet batch = task.prepare(images, TestData.rng(s[3]));
        INDArray pred = net.output(false, batch.getFeatures())[0];
        double expected = naiveLoss(images, batch.getFeatures(1), pred, s[4], s[6] == 1);
        double actual = net.score(batch);
        assertEquals(expected, actual, 1e-9 * Math.max(1, expected), java.util.Arrays.toString(s));
      }
    } finally {
      Nd4j.setDefaultDataTypes(old, old);
    }
  }

  @Test
  void maskingKeepsExactlyTheDocumentedNumberVisible() {
    assertEquals(12, PatchMasking.visibleCount(49, 0.75));
    assertEquals(4, PatchMasking.visibleCount(16, 0.75));
    assertEquals(16, PatchMasking.visibleCount(64, 0.75));
    assertThrows(IllegalArgumentException.class, () -> PatchMasking.visibleCount(4, 0.9)); // 0 visible
    assertThrows(IllegalArgumentException.class, () -> PatchMasking.visibleCount(4, 0.1)); // 4 visible
    assertThrows(IllegalArgumentException.class, () -> PatchMasking.visibleCount(16, 1.0));
    MultiDataSet batch = MaskedAutoencoderTask.mae(4).prepare(TestData.images(6, 1, 28, 28, 1),
        TestData.rng(5));
    INDArray visible = batch.getFeatures(1);
    INDArray masked = batch.getLabelsMaskArray(0);
    assertArrayEquals(new long[] {6, 12}, visible.shape());
    assertArrayEquals(new long[] {6, 49}, masked.shape());
    assertArrayEquals(new long[] {6, 16, 49}, batch.getLabels(0).shape());
    boolean differ = false;
    for (int i = 0; i < 6; i++) {
      assertEquals(37.0, masked.getRow(i).sumNumber().doubleValue(), 0.0);
      for (int k = 0; k < 12; k++) {
        int t = visible.getInt(i, k);
        assertTrue(t >= 0 && t < 49);
        assertTrue(k == 0 || t > visible.getInt(i, k - 1), "ascending and distinct");
        assertEquals(0.0, masked.getDouble(i, t), 0.0);
      }
      differ |= !visible.getRow(i).equals(visible.getRow(0));
    }
    assertTrue(differ, "each image draws its own masking");
  }

  @Test
  void theEncoderCutOutAfterPretrainingSeesAllPatchesAndTheLossFalls() {
    VisionTransformer enc = vit(8, 8, 1, 2);
    // smooth images (a ramp at a random angle per image): masked patches follow from visible ones
    int n = 32;
    INDArray images = Nd4j.create(DataType.FLOAT, n, 1, 8, 8);
    java.util.Random r = new java.util.Random(4);
    for (int i = 0; i < n; i++) {
      double a = r.nextDouble() * 2 * Math.PI;
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          images.putScalar(new long[] {i, 0, y, x}, 0.5 + 0.06 * (Math.cos(a) * (x - 3.5) + Math.sin(a) * (y - 3.5)));
        }
      }
    }
    TrainingConfig cfg = TrainingConfig.builder(16).epochs(15).updater(new Adam(3e-3)).progressBar(false)
        .logEverySteps(0).build();
    TrainingResult result = new Trainer(cfg).fit(
        MaskedAutoencoderTask.builder(2).normalisePixels(false).decoderWidth(8).decoderHeads(2)
            .decoderFeedForward(8).decoderBlocks(1).build(), enc, new ArraySource(images));
    double first = result.history().get(0).loss();
    assertTrue(result.finalLoss() < 0.5 * first, "loss " + first + " -> " + result.finalLoss());
    PretrainedEncoder pre = result.pretrainedEncoder();
    INDArray embedded = pre.embed(images);
    assertArrayEquals(new long[] {n, 4}, embedded.shape());
    // the cut-out encoder carries the pretrained parameters
    assertEquals(result.graph().getLayer(VisionTransformer.PATCHES).params(),
        pre.graph().getLayer(VisionTransformer.PATCHES).params());
  }

  @Test
  void rejectsBadSettingsAndMismatchedPatchSizes() {
    assertThrows(IllegalArgumentException.class, () -> MaskedAutoencoderTask.builder(2).maskRatio(1).build());
    assertThrows(IllegalArgumentException.class, () -> MaskedAutoencoderTask.builder(0).build());
    assertThrows(IllegalArgumentException.class,
        () -> MaskedAutoencoderTask.builder(2).decoderWidth(6).decoderHeads(4).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tiny().buildGraph(
        new NeuralNetConfiguration.Builder().graphBuilder(), vit(4, 4, 1, 4)));
    assertTrue(e.getMessage().contains("patch size 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> tiny().prepare(TestData.images(2, 1, 5, 4, 1), TestData.rng(1)));
  }
}
