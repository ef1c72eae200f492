package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.dl4j.Dl4jSetup;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.train.Seeds;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.masked.MaskedImageTask;
import io.github.ssl4j.tasks.masked.RandomPatchMask;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

  @Option(names = "--data", description = "Directory with the four Fashion-MNIST *-ubyte.gz files (default: /usr/share/datasets/fashion-mnist if installed, else the bundled sample).")
  Path data;

  @Option(names = "--epochs", defaultValue = "3", description = "Pretraining epochs (default ${DEFAULT-VALUE}, the peer's budget).")
  int epochs;

  @Option(names = "--batch", defaultValue = "256", description = "Images per pretraining step (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate of pretraining (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--patch", defaultValue = "4", description = "Side of the square patches that are masked, must divide 28 (default ${DEFAULT-VALUE}).")
  int patch;

  @Option(names = "--mask-ratio", defaultValue = "0.5", description = "Fraction of patches hidden per image, in (0, 1) (default ${DEFAULT-VALUE}).")
  double maskRatio;

  @Option(names = "--ft-epochs", defaultValue = "50", description = "Epochs of the few-label fine-tune and from-scratch runs (default ${DEFAULT-VALUE}).")
  int ftEpochs;

  @Option(names = "--labels-per-class", defaultValue = "60", description = "Labelled training images per class for the few-label evaluations (default ${DEFAULT-VALUE}).")
  int labelsPerClass;

  @Option(names = "--probe-iterations", defaultValue = "" + EncoderEvaluation.PROBE_MAX_ITERATIONS, description = "L-BFGS iteration budget of each linear probe (full batch, L2 " + EncoderEvaluation.PROBE_L2 + " as (l2/2)|W|^2, as the PyTorch peer; default ${DEFAULT-VALUE}).")
  int probeIterations;

  @Option(names = "--train-limit", defaultValue = "-1", description = "Use at most this many training images (-1: all).")
  int trainLimit;

  @Option(names = "--test-limit", defaultValue = "-1", description = "Use at most this many test images (-1: all).")
  int testLimit;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for everything, including the test masks and the labelled subset (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", defaultValue = "target/examples/masked-image-fashion-mnist", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

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
    Dl4jSetup.ensureConfigured(); // before the first use of Nd4j
    System.exit(new CommandLine(new MaskedImageFashionMnist()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    validateOptions();
    long start = System.nanoTime();
    FashionMnist fm = FashionMnist.load(data, trainLimit, testLimit);
    ExampleSupport.announce(fm);
    LabelledData trainSet = fm.train(); // images [n, 1, 28, 28] in [0, 1]
    LabelledData testSet = fm.test();
    ExampleSupport.require(spec, batch <= trainSet.size(), "--batch", batch,
        "at most the number of training images (" + trainSet.size() + ")", "lower --batch or raise --train-limit");
    ExampleSupport.requireLabelsPerClass(spec, labelsPerClass, trainSet);
    LOG.info("{} training and {} test images", trainSet.size(), testSet.size());
    double loadSeconds = EncoderEvaluation.seconds(start);

    // ---- pretraining (W2: W1 CNN on image + mask channel, 7x7x128 map, ConvDecoder.w2, Adam)
    ConvEncoder encoder = MaskedImageTask.w2Encoder();
    MaskedImageTask task = MaskedImageTask.builder().masks(RandomPatchMask.of(patch, maskRatio)).build();
    TrainingConfig config =
        TrainingConfig.builder(batch)
            .epochs(epochs)
            .seed(seed)
            .updater(new Adam(lr))
            .logEverySteps(20)
            .checkpointDir(out.resolve("checkpoints"))
            .build();
    Files.createDirectories(out);
    ExampleSupport.clearOldRun(out.resolve("checkpoints"));
    long t = System.nanoTime();
    TrainingResult trained = new Trainer(config).fit(task, encoder, new ArraySource(trainSet.features()));
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
            new EncoderEvaluation.Settings(labelsPerClass, probeIterations, ftEpochs, seed));

    result =
        new Result(
            fm.origin(), trainSet.size(), testSet.size(), epochs, batch, patch, maskRatio,
            trained.steps(), trained.history().get(0).loss(), trained.finalLoss(),
            trained.samplesPerSecond(), mse[0], mse[1],
            ev.knnPretrained(), ev.knnRandom(), ev.probePretrained(), ev.probeRandom(),
            labelsPerClass, ev.fewLabels(), ev.probeFewPretrained(), ev.probeFewRandom(),
            ftEpochs, ev.fineTunePretrained(), ev.fineTunePretrainedMacroF1(),
            ev.fineTuneScratch(), ev.fineTuneScratchMacroF1(), ev.probeIterations(),
            new Seconds(loadSeconds, pretrainSeconds, reconstructionSeconds, ev.embedSeconds(),
                ev.knnSeconds(), ev.probeSeconds(), ev.probeFewSeconds(), ev.fineTuneSeconds(),
                ev.scratchSeconds(), EncoderEvaluation.seconds(start)),
            encoderFile.toString(), lossCurve.toString(), grid.toString());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("results.json").toFile(), result);
    printSummary(fm.isSample());
    return 0;
  }

  /** The test masks: fixed by the seed, independent of training (as the peer's seed + 1). */
  private RandomGenerator testMaskRng() {
    return new SplittableRandom(Seeds.mix(seed, "test-masks", 0));
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
    int cell = 28 * GRID_SCALE + 4;
    BufferedImage img = new BufferedImage(k * cell + 4, rows.length * cell + 4, BufferedImage.TYPE_BYTE_GRAY);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.dispose();
    for (int r = 0; r < rows.length; r++) {
      float[] v = rows[r].dup('c').data().asFloat();
      for (int i = 0; i < k; i++) {
        for (int y = 0; y < 28 * GRID_SCALE; y++) {
          for (int xx = 0; xx < 28 * GRID_SCALE; xx++) {
            float p = v[i * 784 + (y / GRID_SCALE) * 28 + xx / GRID_SCALE];
            int grey = Math.max(0, Math.min(255, Math.round(p * 255)));
            img.getRaster().setSample(4 + i * cell + xx, 4 + r * cell + y, 0, grey);
          }
        }
      }
    }
    ImageIO.write(img, "png", png.toFile());
  }

  private void printSummary(boolean sample) {
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
            + "  fine-tune, %4d labels        pretrained   from scratch%n"
            + "  encoder + linear head         %8.2f %%   %8.2f %%   (%d epochs)%n"
            + "  macro-F1                      %8.2f %%   %8.2f %%%n"
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
        r.fewLabels(),
        100 * r.fineTunePretrained(), 100 * r.fineTuneScratch(), r.ftEpochs(),
        100 * r.fineTunePretrainedMacroF1(), 100 * r.fineTuneScratchMacroF1(),
        s.load(), s.pretrain(), s.reconstruction(), s.embed(), s.knn(), s.probe(), s.probeFew(),
        s.fineTunePretrained(), s.fineTuneScratch(), s.total(),
        r.encoderFile(), out.resolve("results.json"), r.lossCurveFile(), r.reconstructionsFile());
  }

  /** Option checks that need no data, before anything slow happens. */
  private void validateOptions() {
    ExampleSupport.require(spec, epochs >= 1, "--epochs", epochs, "an integer >= 1", "e.g. --epochs 3");
    ExampleSupport.require(spec, batch >= 1, "--batch", batch, "an integer >= 1", "e.g. --batch 256");
    ExampleSupport.require(spec, lr > 0 && Double.isFinite(lr), "--lr", lr, "a finite number > 0", "e.g. --lr 1e-3");
    ExampleSupport.require(spec, patch >= 1 && 28 % patch == 0, "--patch", patch,
        "a divisor of 28 (1, 2, 4, 7, 14)", "e.g. --patch 4 (49 patches per image)");
    ExampleSupport.require(spec, maskRatio > 0 && maskRatio < 1, "--mask-ratio", maskRatio,
        "a number in (0, 1)", "e.g. --mask-ratio 0.5");
    ExampleSupport.require(spec, ftEpochs >= 1, "--ft-epochs", ftEpochs, "an integer >= 1", "e.g. --ft-epochs 50");
    ExampleSupport.require(spec, labelsPerClass >= 1, "--labels-per-class", labelsPerClass, "an integer >= 1",
        "e.g. --labels-per-class 60 (600 labels)");
    ExampleSupport.require(spec, probeIterations >= 1, "--probe-iterations", probeIterations,
        "an integer >= 1", "e.g. --probe-iterations 300");
    ExampleSupport.require(spec, trainLimit == -1 || trainLimit >= 1, "--train-limit", trainLimit,
        "-1 (all) or >= 1", "e.g. --train-limit 5120");
    ExampleSupport.require(spec, testLimit == -1 || testLimit >= 1, "--test-limit", testLimit,
        "-1 (all) or >= 1", "e.g. --test-limit 2000");
  }
}
