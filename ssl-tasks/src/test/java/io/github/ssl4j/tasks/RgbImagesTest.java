package io.github.ssl4j.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.decoders.ConvDecoder;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.testing.TestData;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import io.github.ssl4j.tasks.contrastive.ProjectionHead;
import io.github.ssl4j.tasks.masked.MaskedImageTask;
import io.github.ssl4j.tasks.masked.RandomPatchMask;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Grey and RGB images of 32 to 128 px through the convolutional encoder and decoder, the
 * masked-image task and the contrastive task with SimCLR's augmentations for that channel count
 * and size: build, train two steps, embed. Narrow networks keep it fast.
 */
class RgbImagesTest {

  private static ConvEncoder encoder(int size, int channels) {
    return ConvEncoder.builder(size, size, channels).channelWidths(4, 8).build();
  }

  private static TrainingConfig twoSteps() {
    return TrainingConfig.builder(4).maxSteps(2).seed(1).progressBar(false).logEverySteps(0).build();
  }

  private static void assertEmbeds(TrainingResult result, INDArray images) {
    assertEquals(2, result.steps());
    assertTrue(Double.isFinite(result.finalLoss()), "loss " + result.finalLoss());
    PretrainedEncoder pretrained = result.pretrainedEncoder();
    INDArray z = pretrained.embed(images);
    assertArrayEquals(new long[] {images.size(0), pretrained.representationSize()}, z.shape());
    assertTrue(Double.isFinite(z.sumNumber().doubleValue()));
  }

  @ParameterizedTest(name = "{0} channel(s), {1} px")
  @CsvSource({"1, 32", "3, 32", "1, 64", "3, 64", "1, 96", "3, 96", "1, 128", "3, 128"})
  void contrastiveTrainsAndEmbeds(int channels, int size) {
    INDArray images = TestData.images(4, channels, size, size, size + channels);
    ContrastiveTask task = ContrastiveTask.builder()
        .views(io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform.simclr(channels, size, size))
        .projectionHead(ProjectionHead.builder(8, 8).build()).build();
    assertEmbeds(new Trainer(twoSteps()).fit(task, encoder(size, channels), new ArraySource(images)), images);
  }

  @ParameterizedTest(name = "{0} channel(s), {1} px")
  @CsvSource({"1, 32", "3, 32", "1, 64", "3, 64", "1, 96", "3, 96", "1, 128", "3, 128"})
  void maskedImageTrainsAndEmbeds(int channels, int size) {
    INDArray images = TestData.images(4, channels, size, size, size * 7 + channels);
    // the encoder sees the image channels plus the mask channel; the decoder restores the image channels
    MaskedImageTask task = MaskedImageTask.builder().masks(RandomPatchMask.of(size / 8, 0.5))
        .decoder(ConvDecoder.builder(channels).channelWidths(4).upsample(2).build()).build();
    ConvEncoder encoder = ConvEncoder.builder(size, size, channels + 1).channelWidths(4, 8).globalPool(false).build();
    TrainingResult result = new Trainer(twoSteps()).fit(task, encoder, new ArraySource(images));
    assertEmbeds(result, MaskedImageTask.withEmptyMask(images));
  }
}
