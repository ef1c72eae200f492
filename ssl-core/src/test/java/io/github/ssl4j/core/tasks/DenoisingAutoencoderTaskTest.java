package io.github.ssl4j.core.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.decoders.MlpDecoder;
import io.github.ssl4j.core.tasks.DenoisingAutoencoderTask.Noise;
import io.github.ssl4j.core.testing.PretextTaskContract;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.testing.TinyMlpEncoder;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Contract plus task-specific tests; the contract runs on Gaussian noise and a tanh decoder. */
class DenoisingAutoencoderTaskTest extends PretextTaskContract {
  private static final int D = 6;

  @Override
  protected PretextTask task() {
    return DenoisingAutoencoderTask.builder(Noise.gaussian(0.2))
        .decoder(MlpDecoder.builder(D).hiddenWidths(4).hiddenActivation(Activation.TANH).build())
        .build();
  }

  @Override
  protected Encoder encoder() {
    return TestData.tinyMlp(D, 3);
  }

  @Override
  protected Encoder incompatibleEncoder() {
    return TestData.tinyConv(4, 4, 1, 2);
  }

  @Override
  protected INDArray examples(int n, long seed) {
    return TestData.blobs(n, D, seed);
  }

  @Override
  protected List<String> rejectionMessageMentions() {
    return List.of("DenoisingAutoencoderTask needs an encoder with feed-forward input, got");
  }

  /** The contract again with masking noise and the default decoder. */
  @Nested
  class WithMaskingNoiseAndDefaultDecoder extends PretextTaskContract {
    @Override
    protected PretextTask task() {
      return DenoisingAutoencoderTask.builder(Noise.masking(0.3)).build();
    }

    @Override
    protected Encoder encoder() {
      return TestData.tinyMlp(D, 3);
    }

    @Override
    protected Encoder incompatibleEncoder() {
      return TestData.tinyConv(4, 4, 1, 2);
    }

    @Override
    protected INDArray examples(int n, long seed) {
      return TestData.blobs(n, D, seed);
    }
  }

  // ---- task-specific -----------------------------------------------------------------------

  @Test
  void gaussianNoiseHasTheConfiguredStatistics() {
    double sigma = 0.5;
    INDArray clean = TestData.blobs(400, D, 1);
    MultiDataSet batch =
        DenoisingAutoencoderTask.builder(Noise.gaussian(sigma)).build().prepare(clean, TestData.rng(2));
    INDArray noise = batch.getFeatures(0).sub(clean).castTo(DataType.DOUBLE);
    long count = noise.length(); // 3200 values: the mean's standard error is 0.5/56 ≈ 0.009
    double mean = noise.meanNumber().doubleValue();
    double std = noise.stdNumber().doubleValue();
    assertEquals(0.0, mean, 0.04, "noise mean over " + count + " values");
    assertEquals(sigma, std, 0.03, "noise standard deviation over " + count + " values");
  }

  @Test
  void maskingNoiseZeroesTheConfiguredFraction() {
    double p = 0.25;
    INDArray clean = TestData.blobs(400, D, 1).addi(5); // no zeros in the clean data
    INDArray noisy =
        DenoisingAutoencoderTask.builder(Noise.masking(p))
            .build()
            .prepare(clean, TestData.rng(3))
            .getFeatures(0);
    double zeroFraction = noisy.eq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    assertEquals(p, zeroFraction, 0.03, "fraction of masked values");
    INDArray kept = noisy.neq(0.0).castTo(DataType.FLOAT);
    assertEquals(
        0.0,
        noisy.sub(clean.mul(kept)).amaxNumber().doubleValue(),
        0.0,
        "unmasked values must be exactly the clean values");
  }

  @Test
  void noiseComesFromTheSeedOnly() {
    INDArray clean = TestData.blobs(8, D, 1);
    PretextTask task = DenoisingAutoencoderTask.builder(Noise.gaussian(0.1)).build();
    INDArray a = task.prepare(clean, TestData.rng(99)).getFeatures(0);
    INDArray b = task.prepare(clean, TestData.rng(99)).getFeatures(0);
    assertArrayEquals(a.data().asFloat(), b.data().asFloat(), 0f);
    // the first noise value is exactly sigma * the generator's first Gaussian
    double expected = clean.getDouble(0, 0) + 0.1 * TestData.rng(99).nextGaussian();
    assertEquals(expected, a.getDouble(0, 0), 1e-6);
  }

  @Test
  void labelsAreTheCleanExamplesAndExamplesAreUntouched() {
    INDArray clean = TestData.blobs(8, D, 1);
    INDArray before = clean.dup();
    MultiDataSet batch =
        DenoisingAutoencoderTask.builder(Noise.gaussian(0.3)).build().prepare(clean, TestData.rng(4));
    assertEquals(1, batch.getFeatures().length);
    assertEquals(1, batch.getLabels().length);
    assertArrayEquals(before.data().asFloat(), batch.getLabels(0).data().asFloat(), 0f);
    assertArrayEquals(before.data().asFloat(), clean.data().asFloat(), 0f);
    assertEquals(clean.dataType(), batch.getFeatures(0).dataType());
    assertArrayEquals(clean.shape(), batch.getFeatures(0).shape());
    assertTrue(batch.getFeatures(0).sub(clean).amaxNumber().doubleValue() > 0, "features are noisy");
  }

  @Test
  void rejectsConvolutionalEncoderSayingWhatItNeeds() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DenoisingAutoencoderTask.builder(Noise.gaussian(0.1))
                    .build()
                    .buildGraph(graphBuilder(), TestData.tinyConv(4, 4, 1, 2)));
    assertTrue(
        e.getMessage().startsWith(
            "DenoisingAutoencoderTask needs an encoder with feed-forward input"),
        e.getMessage());
    assertTrue(e.getMessage().contains("InputTypeConvolutional"), e.getMessage());
  }

  @Test
  void rejectsEncoderWithNonFeedForwardOutput() {
    Encoder bad =
        new Encoder() {
          final TinyMlpEncoder inner = TestData.tinyMlp(D, 3);

          @Override
          public InputType inputType() {
            return inner.inputType();
          }

          @Override
          public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
            return inner.addTo(graph, input);
          }

          @Override
          public InputType outputType() {
            return InputType.recurrent(4, 3);
          }

          @Override
          public List<String> blockOutputs() {
            return inner.blockOutputs();
          }
        };
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DenoisingAutoencoderTask.builder(Noise.gaussian(0.1))
                    .build()
                    .buildGraph(graphBuilder(), bad));
    assertTrue(e.getMessage().contains("feed-forward output"), e.getMessage());
  }

  @Test
  void rejectsDecoderOfTheWrongSize() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DenoisingAutoencoderTask.builder(Noise.gaussian(0.1))
                    .decoder(MlpDecoder.builder(D + 1).build())
                    .build()
                    .buildGraph(graphBuilder(), TestData.tinyMlp(D, 3)));
    assertTrue(e.getMessage().contains("set the decoder's output size to " + D), e.getMessage());
  }

  @Test
  void rejectsBadNoiseAndExamples() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Noise.gaussian(0))
            .getMessage()
            .contains("sigma must be finite and > 0, got 0.0"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Noise.masking(1.0))
            .getMessage()
            .contains("must be in (0, 1), got 1.0"));
    PretextTask task = DenoisingAutoencoderTask.builder(Noise.gaussian(0.1)).build();
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> task.prepare(TestData.images(2, 1, 3, 3, 1), TestData.rng(1)))
            .getMessage()
            .contains("expects examples shaped [batch, d], got shape [2, 1, 3, 3]"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> task.prepare(TestData.blobs(2, D, 1).castTo(DataType.INT), TestData.rng(1)))
            .getMessage()
            .contains("expects floating-point examples, got INT"));
  }

  @Test
  void graphHasTheReconstructionLossAndConfigDescribesTheTask() {
    var gb = graphBuilder();
    DenoisingAutoencoderTask task = DenoisingAutoencoderTask.builder(Noise.masking(0.2)).build();
    task.buildGraph(gb, TestData.tinyMlp(D, 3));
    var conf = gb.build();
    assertEquals(List.of(DenoisingAutoencoderTask.LOSS_VERTEX), conf.getNetworkOutputs());
    assertEquals("loss/reconstruction", DenoisingAutoencoderTask.LOSS_VERTEX);
    assertTrue(conf.getVertices().containsKey(MlpDecoder.OUTPUT));
    assertEquals(List.of(VertexNames.INPUT), conf.getNetworkInputs());
    assertEquals("denoising-autoencoder", task.id());
    assertEquals("masking", task.config().get("noise"));
    assertEquals(0.2, task.config().get("probability"));
    assertEquals("denoising-autoencoder", task.config().get("id"));
  }

  private static ComputationGraphConfiguration.GraphBuilder graphBuilder() {
    return new NeuralNetConfiguration.Builder().seed(1).graphBuilder();
  }
}
