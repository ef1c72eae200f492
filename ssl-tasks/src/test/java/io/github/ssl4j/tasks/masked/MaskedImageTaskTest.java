package io.github.ssl4j.tasks.masked;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.decoders.ConvDecoder;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/** Contract plus masked-modelling tests on 8x8 images, 2x2 patches, a one-conv encoder and decoder. */
class MaskedImageTaskTest extends PretextTaskContract {

  private static MaskedImageTask tiny() {
    return MaskedImageTask.builder()
        .masks(RandomPatchMask.of(2, 0.5))
        .decoder(ConvDecoder.builder(1).channelWidths(3).upsample(1).build())
        .build();
  }

  @Override
  protected PretextTask task() {
    return tiny();
  }

  @Override
  protected Encoder encoder() {
    return TestData.tinyConv(8, 8, 2, 4);
  }

  @Override
  protected Encoder incompatibleEncoder() {
    return TestData.tinyConv(8, 8, 1, 4); // no room for the mask channel
  }

  @Override
  protected INDArray examples(int n, long seed) {
    return TestData.images(n, 1, 8, 8, seed);
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("image channels + 1", "c=1");
  }

  @Test
  void featuresHideMaskedPixelsAndCarryTheMask() {
    INDArray x = examples(5, 1);
    INDArray before = x.dup();
    MultiDataSet b = tiny().prepare(x, TestData.rng(3));
    INDArray f = b.getFeatures(0);
    INDArray mask = b.getLabelsMaskArray(0);
    assertArrayEquals(new long[] {5, 2, 8, 8}, f.shape());
    assertArrayEquals(new long[] {5, 1, 8, 8}, mask.shape());
    assertEquals(before, b.getLabels(0));
    assertEquals(before, x, "prepare must not modify the examples");
    assertEquals(mask.get(NDArrayIndex.all(), NDArrayIndex.point(0)), f.get(NDArrayIndex.all(), NDArrayIndex.point(1)));
    for (int i = 0; i < 5; i++) {
      // 8 of the 16 2x2 patches hidden: 32 pixels
      assertEquals(32.0, mask.get(NDArrayIndex.point(i)).sumNumber().doubleValue(), 0.0);
      for (int r = 0; r < 8; r++) {
        for (int c = 0; c < 8; c++) {
          double expected = mask.getDouble(i, 0, r, c) == 1.0 ? 0.0 : x.getDouble(i, 0, r, c);
          assertEquals(expected, f.getDouble(i, 0, r, c), 0.0, "pixel " + i + "," + r + "," + c);
        }
      }
    }
  }

  @Test
  void emptyMaskInputKeepsTheImage() {
    INDArray x = examples(3, 2);
    INDArray in = MaskedImageTask.withEmptyMask(x);
    assertArrayEquals(new long[] {3, 2, 8, 8}, in.shape());
    assertEquals(x, in.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)));
    assertEquals(0.0, in.get(NDArrayIndex.all(), NDArrayIndex.point(1)).amaxNumber().doubleValue(), 0.0);
  }

  /** Loss and gradients of one batch, double precision, no regularisation. */
  private record LossAndGradient(double score, INDArray gradient) {}

  private static LossAndGradient lossAndGradient(ComputationGraph net, INDArray features, INDArray labels, INDArray mask) {
    net.setInputs(features);
    net.setLabels(labels);
    net.setLayerMaskArrays(null, new INDArray[] {mask});
    net.computeGradientAndScore();
    return new LossAndGradient(net.score(), net.gradient().gradient().dup());
  }

  private ComputationGraph doubleNet() {
    ComputationGraphConfiguration.GraphBuilder gb =
        new NeuralNetConfiguration.Builder().seed(5).updater(new NoOp()).dataType(DataType.DOUBLE).graphBuilder();
    tiny().buildGraph(gb, encoder());
    ComputationGraph net = new ComputationGraph(gb.build());
    net.init();
    return net;
  }

  @Test
  void unmaskedPixelsContributeExactlyZeroToLossAndGradient() {
    ComputationGraph net = doubleNet();
    MultiDataSet b = tiny().prepare(examples(6, 4), TestData.rng(9));
    INDArray features = b.getFeatures(0).castTo(DataType.DOUBLE);
    INDArray labels = b.getLabels(0).castTo(DataType.DOUBLE);
    INDArray mask = b.getLabelsMaskArray(0).castTo(DataType.DOUBLE);
    LossAndGradient base = lossAndGradient(net, features, labels, mask);

    // change every visible target pixel: nothing may move
    INDArray noise = Nd4j.rand(DataType.DOUBLE, labels.shape());
    INDArray visible = mask.rsub(1.0);
    INDArray otherVisible = labels.mul(mask).add(noise.mul(visible));
    LossAndGradient changedVisible = lossAndGradient(net, features, otherVisible, mask);
    assertEquals(base.score(), changedVisible.score(), 0.0);
    assertEquals(base.gradient(), changedVisible.gradient());

    // change the hidden target pixels: the loss and gradient must move
    INDArray otherHidden = labels.mul(visible).add(noise.mul(mask));
    LossAndGradient changedHidden = lossAndGradient(net, features, otherHidden, mask);
    assertNotEquals(base.score(), changedHidden.score());
    assertNotEquals(base.gradient(), changedHidden.gradient());
  }

  @Test
  void lossIsSquaredErrorOverHiddenPixelsPerImage() {
    ComputationGraph net = doubleNet();
    int n = 6;
    MultiDataSet b = tiny().prepare(examples(n, 5), TestData.rng(10));
    INDArray features = b.getFeatures(0).castTo(DataType.DOUBLE);
    INDArray labels = b.getLabels(0).castTo(DataType.DOUBLE);
    INDArray mask = b.getLabelsMaskArray(0).castTo(DataType.DOUBLE);
    double score = lossAndGradient(net, features, labels, mask).score();
    INDArray pred = net.outputSingle(features); // sigmoid applied by the loss layer
    // naive loop, independent of MaskedImageTask.maskedSquaredError
    double se = 0;
    double hidden = 0;
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < 8; r++) {
        for (int c = 0; c < 8; c++) {
          if (mask.getDouble(i, 0, r, c) == 1.0) {
            double d = pred.getDouble(i, 0, r, c) - labels.getDouble(i, 0, r, c);
            se += d * d;
            hidden++;
          }
        }
      }
    }
    assertEquals(se / n, score, 1e-12);
    double[] helper = MaskedImageTask.maskedSquaredError(pred, labels, mask);
    assertEquals(se, helper[0], 1e-12);
    assertEquals(hidden, helper[1], 0.0);
    assertEquals(se / hidden, MaskedImageTask.maskedPixelMse(pred, labels, mask), 1e-12);
  }

  @Test
  void w2GraphMapsTheMaskedImageBackTo28x28() {
    ComputationGraphConfiguration.GraphBuilder gb =
        new NeuralNetConfiguration.Builder().seed(1).graphBuilder();
    MaskedImageTask.inpainting().buildGraph(gb, MaskedImageTask.smallCnnEncoder(28, 28, 1));
    ComputationGraph net = new ComputationGraph(gb.build());
    net.init();
    MultiDataSet b = MaskedImageTask.inpainting().prepare(TestData.images(4, 1, 28, 28, 3), TestData.rng(1));
    assertArrayEquals(new long[] {4, 2, 28, 28}, b.getFeatures(0).shape());
    assertEquals(400.0 * 4, b.getLabelsMaskArray(0).sumNumber().doubleValue(), 0.0);
    INDArray out = net.outputSingle(b.getFeatures(0));
    assertArrayEquals(new long[] {4, 1, 28, 28}, out.shape());
    assertTrue(out.minNumber().doubleValue() >= 0 && out.maxNumber().doubleValue() <= 1, "sigmoid output");
    Map<String, Object> cfg = MaskedImageTask.inpainting().config();
    assertEquals("masked-image", cfg.get("id"));
  }

  @Test
  void rejectsPooledEncoderAndMismatchedDecoder() {
    ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().graphBuilder();
    IllegalArgumentException pooled =
        assertThrows(
            IllegalArgumentException.class,
            () -> MaskedImageTask.inpainting().buildGraph(gb, ConvEncoder.builder(28, 28, 2).build()));
    assertTrue(pooled.getMessage().contains("globalPool(false)"), pooled.getMessage());
    IllegalArgumentException mismatch =
        assertThrows(
            IllegalArgumentException.class,
            () -> MaskedImageTask.inpainting().buildGraph(
                new NeuralNetConfiguration.Builder().graphBuilder(), TestData.tinyConv(8, 8, 2, 4)));
    assertTrue(mismatch.getMessage().contains("32x32x1") || mismatch.getMessage().contains("32"), mismatch.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> tiny().prepare(Nd4j.zeros(DataType.FLOAT, 2, 64), TestData.rng(1)));
  }
}
