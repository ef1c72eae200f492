package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.dl4j.Dl4jSetup;
import io.github.ssl4j.core.encoders.MlpEncoder;
import io.github.ssl4j.core.eval.KnnClassifier;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.eval.LinearProbe;
import io.github.ssl4j.core.tasks.DenoisingAutoencoderTask;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main example: pretrain an MLP encoder on Fashion-MNIST as a denoising autoencoder (no
 * labels), then measure what the representation learned with a kNN classifier and a linear probe,
 * next to the same encoder with random weights.
 *
 * <pre>
 * mvn -B -q -pl ssl-examples -am package -DskipTests exec:java
 * mvn -B -q -pl ssl-examples -am package -DskipTests exec:java -Dexec.args="--data /path/to/fashion-mnist --epochs 10"
 * </pre>
 */
@Command(
    name = "DenoisingFashionMnist",
    mixinStandardHelpOptions = true,
    description = "Pretrain a denoising autoencoder on Fashion-MNIST, then evaluate its encoder.")
public final class DenoisingFashionMnist implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(DenoisingFashionMnist.class);

  @Option(names = "--data", description = "Directory with the four Fashion-MNIST *-ubyte.gz files (default: ${DEFAULT-VALUE} if installed, else the bundled sample).")
  Path data;

  @Option(names = "--epochs", defaultValue = "10", description = "Pretraining epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--noise", defaultValue = "0.3", description = "Gaussian noise sigma added to inputs (default ${DEFAULT-VALUE}).")
  double noise;

  @Option(names = "--train-limit", defaultValue = "-1", description = "Use at most this many training images (-1: all).")
  int trainLimit;

  @Option(names = "--test-limit", defaultValue = "-1", description = "Use at most this many test images (-1: all).")
  int testLimit;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for everything (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", defaultValue = "target/examples/denoising-fashion-mnist", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

  private Result result;

  /** What the example measured. Accuracies are fractions in [0, 1]. */
  public record Result(
      String data,
      int trainImages,
      int testImages,
      int epochs,
      long steps,
      double firstLoss,
      double finalLoss,
      double samplesPerSecond,
      double knnPretrained,
      double knnRandom,
      double probePretrained,
      double probeRandom,
      double knnSeconds,
      double probeSeconds,
      String encoderFile) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    DenoisingFashionMnist app = new DenoisingFashionMnist();
    return ExampleSupport.run(app, () -> app.result, args);
  }

  public static void main(String[] args) {
    Dl4jSetup.ensureConfigured(); // before the first use of Nd4j
    System.exit(new CommandLine(new DenoisingFashionMnist()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    FashionMnist fm = FashionMnist.load(data, trainLimit, testLimit);
    ExampleSupport.announce(fm);
    INDArray train = FashionMnist.flat(fm.train().features());
    INDArray test = FashionMnist.flat(fm.test().features());
    LOG.info("{} training and {} test images", train.size(0), test.size(0));

    MlpEncoder encoder = MlpEncoder.builder(784).hiddenWidths(256, 64).build();
    DenoisingAutoencoderTask task =
        DenoisingAutoencoderTask.builder(DenoisingAutoencoderTask.Noise.gaussian(noise)).build();
    TrainingConfig config =
        TrainingConfig.builder(batch)
            .epochs(epochs)
            .seed(seed)
            .updater(new Adam(1e-3))
            .checkpointDir(out.resolve("checkpoints")).overwrite(true)
            .build();
    Files.createDirectories(out);
    TrainingResult trained = new Trainer(config).fit(task, encoder, new ArraySource(train));
    trained.writeHistory(out);

    PretrainedEncoder pretrained = PretrainedEncoder.from(trained.graph(), encoder, trained.metadata());
    Path encoderFile = out.resolve("encoder.zip");
    pretrained.save(encoderFile);

    ComputationGraph random = pretrained.freshCopy(seed);
    LabelledData trainLabels = fm.train();
    LabelledData testLabels = fm.test();
    double[] knn = new double[2];
    double[] probe = new double[2];
    long knnNanos = 0;
    long probeNanos = 0;
    for (int i = 0; i < 2; i++) {
      INDArray trainRep = i == 0 ? pretrained.embed(train) : random.outputSingle(false, train);
      INDArray testRep = i == 0 ? pretrained.embed(test) : random.outputSingle(false, test);
      LabelledData bank = trainLabels.withFeatures(trainRep);
      LabelledData queries = testLabels.withFeatures(testRep);
      long t0 = System.nanoTime();
      knn[i] = KnnClassifier.builder().build().fit(bank).accuracy(queries);
      long t1 = System.nanoTime();
      // at least ~800 optimiser steps, so small (sample) training sets are not under-fitted
      int probeEpochs = Math.max(10, 200_000 / (int) train.size(0));
      probe[i] =
          LinearProbe.builder().epochs(probeEpochs).seed(seed).build()
              .evaluate(bank, queries).testAccuracy();
      knnNanos += t1 - t0;
      probeNanos += System.nanoTime() - t1;
    }

    result =
        new Result(
            fm.origin(),
            (int) train.size(0),
            (int) test.size(0),
            epochs,
            trained.steps(),
            trained.history().get(0).loss(),
            trained.finalLoss(),
            trained.samplesPerSecond(),
            knn[0],
            knn[1],
            probe[0],
            probe[1],
            knnNanos / 2e9,
            probeNanos / 2e9,
            encoderFile.toString());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("results.json").toFile(), result);

    System.out.printf(
        "%nDenoising autoencoder on Fashion-MNIST (%d train / %d test images%s)%n"
            + "  pretraining: %d steps, loss %.4f -> %.4f, %.0f images/s%n"
            + "  representation (64-d)   pretrained   random init%n"
            + "  kNN (k=200, T=0.1)      %8.2f %%   %8.2f %%%n"
            + "  linear probe            %8.2f %%   %8.2f %%%n"
            + "  (per evaluation: kNN %.1f s, linear probe %.1f s)%n"
            + "  encoder saved to %s; results in %s%n",
        train.size(0), test.size(0), fm.isSample() ? ", bundled sample" : "",
        trained.steps(), result.firstLoss(), result.finalLoss(), result.samplesPerSecond(),
        100 * knn[0], 100 * knn[1], 100 * probe[0], 100 * probe[1],
        result.knnSeconds(), result.probeSeconds(),
        encoderFile, out.resolve("results.json"));
    return 0;
  }
}
