package io.github.ssl4j.examples;

import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.tasks.masked.MaskedImageTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * How well a trained masked-image graph inpaints 28x28 test images under masks fixed by the seed
 * (independent of training): the masked-pixel MSE next to predicting the mean training image, and a
 * PNG grid of originals, masked inputs and reconstructions.
 */
final class InpaintingEvaluation {
  /** Test images per forward pass for the masked-pixel MSE. */
  private static final int EVAL_BATCH = 1000;
  /** Images in the reconstruction grid. */
  private static final int GRID_IMAGES = 10;
  /** Pixels per image pixel in the grid PNG. */
  private static final int GRID_SCALE = 3;

  private InpaintingEvaluation() {}

  /**
   * @param model MSE per hidden pixel of the model's prediction, pixel values in [0, 1]
   * @param meanImage the same for the mean training image
   */
  record Mse(double model, double meanImage) {}

  /**
   * Writes the grid to {@code reconstructions.png}, measures the masked-pixel MSE and adds it to the
   * report's summary.
   */
  static Mse run(ComputationGraph graph, MaskedImageTask task, FashionMnist data, long seed, ExampleReport report) {
    writeGrid(graph, task, data.test().features(), seed, report.file("reconstructions.png"));
    Mse mse = maskedPixelMse(graph, task, data.train().features(), data.test().features(), seed);
    report.line("test masked-pixel MSE          %.5f   (mean training image: %.5f)", mse.model(), mse.meanImage());
    return mse;
  }

  /** The test masks: fixed by the seed, independent of training. */
  private static RandomGenerator testMasks(long seed) {
    return new SplittableRandom(Seeds.mix(seed, "test-masks", 0));
  }

  /**
   * Masked-pixel MSE on the test images of the trained graph and of the mean training image.
   *
   * @param trainImages [n, 1, 28, 28]
   * @param testImages [m, 1, 28, 28]
   */
  private static Mse maskedPixelMse(ComputationGraph graph, MaskedImageTask task, INDArray trainImages, INDArray testImages,
      long seed) {
    INDArray meanImage = trainImages.mean(0).reshape(1, 1, 28, 28);
    RandomGenerator rng = testMasks(seed);
    double se = 0;
    double seMean = 0;
    double hidden = 0;
    long n = testImages.size(0);
    for (long i = 0; i < n; i += EVAL_BATCH) {
      INDArray x = testImages.get(NDArrayIndex.interval(i, Math.min(n, i + EVAL_BATCH)));
      int b = Math.toIntExact(x.size(0));
      INDArray mask = task.masks().sample(b, 28, 28, rng).castTo(x.dataType());
      INDArray pred = graph.outputSingle(MaskedImageTask.maskedInput(x, mask));
      double[] model = MaskedImageTask.maskedSquaredError(pred, x, mask);
      double[] mean = MaskedImageTask.maskedSquaredError(meanImage.broadcast(x.shape()), x, mask);
      se += model[0];
      seMean += mean[0];
      hidden += model[1];
    }
    return new Mse(se / hidden, seMean / hidden);
  }

  /**
   * Writes a PNG grid, one column per test image: the original, the masked input (hidden patches
   * mid-grey), the inpainted image (visible pixels kept, hidden ones predicted) and the decoder's
   * whole output.
   */
  private static void writeGrid(ComputationGraph graph, MaskedImageTask task, INDArray testImages, long seed, Path png) {
    int k = (int) Math.min(GRID_IMAGES, testImages.size(0));
    INDArray x = testImages.get(NDArrayIndex.interval(0, k)).castTo(DataType.FLOAT);
    INDArray mask = task.masks().sample(k, 28, 28, testMasks(seed)).castTo(DataType.FLOAT);
    INDArray pred = graph.outputSingle(MaskedImageTask.maskedInput(x, mask)).castTo(DataType.FLOAT);
    INDArray visible = mask.rsub(1f);
    INDArray[] rows = {x, x.mul(visible).add(mask.mul(0.5f)), x.mul(visible).add(pred.mul(mask)), pred};
    try {
      ImageGrid.write(rows, GRID_SCALE, png);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + png + ": " + e.getMessage(), e);
    }
  }
}
