package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.masked.MaskedImageTask;
import io.github.ssl4j.tasks.masked.RandomPatchMask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Workload W2: masked image modelling on Fashion-MNIST (no labels): hide half of the 4x4 patches of
 * each image and train the W1 CNN (2 input channels, 7x7x128 map kept) with an upsampling conv
 * decoder to inpaint them. Then: the masked-pixel MSE on the test set (next to predicting the mean
 * training image), the representation (global average pool of the map) under kNN and linear probes
 * next to a random-init encoder, the few-label fine-tune against scratch, and a PNG grid of
 * originals, masked inputs and reconstructions.
 *
 * <pre>
 * mvn -B -q -pl ssl-examples -am package -DskipTests exec:java \
 *     -Dexec.mainClass=io.github.ssl4j.examples.MaskedImageFashionMnist
 * </pre>
 */
@Command(
    name = "MaskedImageFashionMnist",
    mixinStandardHelpOptions = true,
    description =
        "Pretrain the W2 encoder-decoder by inpainting masked patches of Fashion-MNIST, then"
            + " evaluate the reconstructions, the representation and its label efficiency.")
public final class MaskedImageFashionMnist implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(MaskedImageFashionMnist.class);
  /** Test images per forward pass for the masked-pixel MSE. */
  private static final int EVAL_BATCH = 1000;
  /** Images in the reconstruction grid. */
  private static final int GRID_IMAGES = 10;
  /** Pixels per image pixel in the grid PNG. */
  private static final int GRID_SCALE = 3;

  @Option(names = "--patch", defaultValue = "4", description = "Side of the square patches that are masked, must divide 28 (default ${DEFAULT-VALUE}).")
  int patch;

  @Option(names = "--mask-ratio", defaultValue = "0.5", description = "Fraction of patches hidden per image, in (0, 1) (default ${DEFAULT-VALUE}).")
  double maskRatio;

  @Option(names = "--out", defaultValue = "target/examples/masked-image-fashion-mnist", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Mixin PretrainOptions o = new PretrainOptions();

  @Spec CommandSpec spec;

  private Result result;

  /**
   * What the example measured. MSEs are per hidden pixel on [0, 1] pixel values; accuracies and
   * macro-F1 are fractions; "random" is the same encoder with random weights, "scratch" that network
   * trained on the labelled subset only.
   */
  public record Result(
      String data,
      int trainImages,
      int testImages,
      int epochs,
      int batch,
      int patch,
      double maskRatio,
      long steps,
      double firstLoss,
      double finalLoss,
      double imagesPerSecond,
      double testMaskedPixelMse,
      double meanImageMaskedPixelMse,
      double knnPretrained,
      double knnRandom,
      double probePretrained,
      double probeRandom,
      int labelsPerClass,
      int fewLabels,
      double probeFewPretrained,
      double probeFewRandom,
      int ftEpochs,
      double fineTunePretrained,
      double fineTunePretrainedMacroF1,
      double fineTuneScratch,
      double fineTuneScratchMacroF1,
      EncoderEvaluation.FewLabelDetail fewLabel,
      int probeIterations,
      Seconds seconds,
      String encoderFile,
      String lossCurveFile,
      String reconstructionsFile) {}

  /** Wall-clock seconds per phase (pretrained and random encoder together where both are evaluated). */
  public record Seconds(
      double load,
      double pretrain,
      double reconstruction,
      double embed,
      double knn,
      double probe,
      double probeFew,
      double fineTunePretrained,
      double fineTuneScratch,
      double total) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    MaskedImageFashionMnist app = new MaskedImageFashionMnist();
    return ExampleSupport.run(app, () -> app.result, args);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new MaskedImageFashionMnist()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    validateOptions();
    long start = System.nanoTime();
    FashionMnist fm = FashionMnist.load(o.data, o.trainLimit, o.testLimit);
    ExampleSupport.announce(fm);
    LabelledData trainSet = fm.train(); // images [n, 1, 28, 28] in [0, 1]
    LabelledData testSet = fm.test();
    o.validateAgainst(spec, trainSet);
    LOG.info("{} training and {} test images", trainSet.size(), testSet.size());
    double loadSeconds = EncoderEvaluation.seconds(start);

    // ---- pretraining (W2: W1 CNN on image + mask channel, 7x7x128 map, ConvDecoder.w2, Adam)
    ConvEncoder encoder = MaskedImageTask.smallCnnEncoder(28, 28, 1);
    MaskedImageTask task = MaskedImageTask.builder().masks(RandomPatchMask.of(patch, maskRatio)).build();
    long t = System.nanoTime();
    TrainingResult trained = o.pretrain(task, encoder, trainSet.features(), out);
    double pretrainSeconds = EncoderEvaluation.seconds(t);
    trained.writeHistory(out);
    Path lossCurve = out.resolve("loss-curve.png");
    EncoderEvaluation.writeLossCurve(
        trained.history(), "Masked image modelling (W2): squared error over hidden pixels per image", lossCurve);

    // ---- reconstruction quality on the test set, fixed masks
    t = System.nanoTime();
    double[] mse = maskedPixelMse(trained.graph(), task, trainSet.features(), testSet.features());
    Path grid = out.resolve("reconstructions.png");
    writeGrid(trained.graph(), task, testSet.features(), grid);
    double reconstructionSeconds = EncoderEvaluation.seconds(t);

    PretrainedEncoder pretrained = PretrainedEncoder.from(trained.graph(), encoder, trained.metadata());
    Path encoderFile = out.resolve("encoder.zip");
    pretrained.save(encoderFile);

    // ---- representation: unmasked image + empty mask channel, global average pool of the map
    EncoderEvaluation.Outcome ev =
        EncoderEvaluation.run(pretrained, encoder,
            trainSet.withFeatures(MaskedImageTask.withEmptyMask(trainSet.features())),
            testSet.withFeatures(MaskedImageTask.withEmptyMask(testSet.features())),
            o.evaluation());

    result =
        new Result(
            fm.origin(), trainSet.size(), testSet.size(), o.epochs, o.batch, patch, maskRatio,
            trained.steps(), trained.history().get(0).loss(), trained.finalLoss(),
            trained.samplesPerSecond(), mse[0], mse[1],
            ev.knnPretrained(), ev.knnRandom(), ev.probePretrained(), ev.probeRandom(),
            o.labelsPerClass, ev.fewLabels(), ev.probeFewPretrained(), ev.probeFewRandom(),
            o.ftEpochs, ev.fineTunePretrained(), ev.fineTunePretrainedMacroF1(),
            ev.fineTuneScratch(), ev.fineTuneScratchMacroF1(), ev.fewLabel(), ev.probeIterations(),
            new Seconds(loadSeconds, pretrainSeconds, reconstructionSeconds, ev.embedSeconds(),
                ev.knnSeconds(), ev.probeSeconds(), ev.probeFewSeconds(), ev.fineTuneSeconds(),
                ev.scratchSeconds(), EncoderEvaluation.seconds(start)),
            encoderFile.toString(), lossCurve.toString(), grid.toString());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("results.json").toFile(), result);
    printSummary(fm.isSample(), ev);
    return 0;
  }

  /** The test masks: fixed by the seed, independent of training (as the peer's seed + 1). */
  private RandomGenerator testMaskRng() {
    return new SplittableRandom(Seeds.mix(o.seed, "test-masks", 0));
  }

  /**
   * Masked-pixel MSE on the test images of the trained graph and of the mean training image.
   *
   * @return {model MSE, mean-image MSE} per hidden pixel
   */
  private double[] maskedPixelMse(
      ComputationGraph graph, MaskedImageTask task, INDArray trainImages, INDArray testImages) {
    INDArray meanImage = trainImages.mean(0).reshape(1, 1, 28, 28);
    RandomGenerator rng = testMaskRng();
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
    return new double[] {se / hidden, seMean / hidden};
  }

  /**
   * Writes a PNG grid, one column per test image: the original, the masked input (hidden patches
   * mid-grey), the inpainted image (visible pixels kept, hidden ones predicted) and the decoder's
   * whole output.
   */
  private void writeGrid(ComputationGraph graph, MaskedImageTask task, INDArray testImages, Path png)
      throws IOException {
    int k = (int) Math.min(GRID_IMAGES, testImages.size(0));
    INDArray x = testImages.get(NDArrayIndex.interval(0, k)).castTo(DataType.FLOAT);
    INDArray mask = task.masks().sample(k, 28, 28, testMaskRng()).castTo(DataType.FLOAT);
    INDArray pred = graph.outputSingle(MaskedImageTask.maskedInput(x, mask)).castTo(DataType.FLOAT);
    INDArray visible = mask.rsub(1f);
    INDArray[] rows = {
      x,
      x.mul(visible).add(mask.mul(0.5f)),
      x.mul(visible).add(pred.mul(mask)),
      pred
    };
    ImageGrid.write(rows, GRID_SCALE, png);
  }

  private void printSummary(boolean sample, EncoderEvaluation.Outcome ev) {
    Result r = result;
    Seconds s = r.seconds();
    System.out.printf(
        "%nMasked image modelling (W2) on Fashion-MNIST (%d train / %d test images%s)%n"
            + "  pretraining: %d epochs, %d steps of %d images, %dx%d patches, %.0f %% hidden,"
            + " loss %.3f -> %.3f, %.0f images/s%n"
            + "  test masked-pixel MSE         %.5f   (mean training image: %.5f)%n"
            + "  representation (128-d)        pretrained   random init%n"
            + "  kNN (k=200, T=0.1)            %8.2f %%   %8.2f %%%n"
            + "  linear probe, all labels      %8.2f %%   %8.2f %%%n"
            + "  linear probe, %4d labels     %8.2f %%   %8.2f %%%n"
            + "%s"
            + "  seconds: load %.1f, pretrain %.1f, reconstruction %.1f, embed %.1f, kNN %.1f,"
            + " linear probe %.1f + %.1f, fine-tune %.1f + scratch %.1f, total %.1f%n"
            + "  encoder saved to %s; results in %s; loss curve %s; reconstructions %s%n",
        r.trainImages(), r.testImages(), sample ? ", bundled sample" : "",
        r.epochs(), r.steps(), r.batch(), r.patch(), r.patch(), 100 * r.maskRatio(),
        r.firstLoss(), r.finalLoss(), r.imagesPerSecond(),
        r.testMaskedPixelMse(), r.meanImageMaskedPixelMse(),
        100 * r.knnPretrained(), 100 * r.knnRandom(),
        100 * r.probePretrained(), 100 * r.probeRandom(),
        r.fewLabels(), 100 * r.probeFewPretrained(), 100 * r.probeFewRandom(),
        EncoderEvaluation.fewLabelLines(ev, o.evaluation()),
        s.load(), s.pretrain(), s.reconstruction(), s.embed(), s.knn(), s.probe(), s.probeFew(),
        s.fineTunePretrained(), s.fineTuneScratch(), s.total(),
        r.encoderFile(), out.resolve("results.json"), r.lossCurveFile(), r.reconstructionsFile());
  }

  /** Option checks that need no data, before anything slow happens. */
  private void validateOptions() {
    o.validate(spec);
    ExampleSupport.require(spec, patch >= 1 && 28 % patch == 0, "--patch", patch,
        "a divisor of 28 (1, 2, 4, 7, 14)", "e.g. --patch 4 (49 patches per image)");
    ExampleSupport.require(spec, maskRatio > 0 && maskRatio < 1, "--mask-ratio", maskRatio,
        "a number in (0, 1)", "e.g. --mask-ratio 0.5");
  }

}
