package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.spark.SerializableSupplier;
import io.github.ssl4j.spark.SparkPretrainer;
import io.github.ssl4j.spark.SparkTraining;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * SimCLR on Fashion-MNIST on Apache Spark: the images become a {@code JavaRDD} of {@code --workers}
 * partitions, {@link SparkPretrainer} trains ConvEncoder.small with the contrastive task by
 * parameter averaging (or gradient sharing), one worker per partition, checkpointing every round,
 * and the pretrained encoder is measured with a kNN classifier and a linear probe next to a
 * random-init copy. Runs on a local master by default ({@code --master local[2]}); under
 * {@code spark-submit} the submitted master is used (docs/scaling-out.md).
 */
@Command(name = "SparkContrastiveFashionMnist", mixinStandardHelpOptions = true,
    description = "SimCLR (NT-Xent) on Fashion-MNIST on Spark with data-parallel workers, then kNN and linear probe.")
public final class SparkContrastiveFashionMnist implements Callable<SparkContrastiveFashionMnist.Result> {
  @Option(names = "--master", defaultValue = "local[2]",
      description = "Spark master when none is set by spark-submit (default ${DEFAULT-VALUE}).")
  String master;

  @Option(names = "--workers", defaultValue = "2", description = "RDD partitions = workers (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--mode", defaultValue = "averaging",
      description = "averaging (parameter averaging) or gradients (gradient sharing) (default ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--steps-per-round", defaultValue = "5",
      description = "Steps between parameter averages (or checkpoints with gradient sharing) (default ${DEFAULT-VALUE}).")
  int stepsPerRound;

  @Option(names = "--checkpoints",
      description = "Hadoop URI of the checkpoint directory (default: <out>/spark-checkpoints on the local file system).")
  String checkpoints;

  @Option(names = "--temperature", defaultValue = "0.5", description = "NT-Xent temperature (default ${DEFAULT-VALUE}).")
  double temperature;

  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  // --batch is per worker: a step trains on workers x batch images
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("spark-contrastive-fashion-mnist", 1, 128, 1e-3, 42);

  /** What the example measured; accuracies are fractions in [0, 1], "random" the encoder with random weights. */
  public record Result(String data, int trainImages, int testImages, String master, int workers, String mode,
      int stepsPerRound, ExampleReport.Pretraining pretraining, EncoderEvaluation.Frozen evaluation,
      Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new SparkContrastiveFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new SparkContrastiveFashionMnist(), args);
  }

  @Override
  public Result call() throws IOException {
    training.require(workers >= 1, "--workers", workers, "an integer >= 1", "e.g. --workers 2");
    training.require(mode.equals("averaging") || mode.equals("gradients"), "--mode", mode,
        "averaging or gradients", "e.g. --mode averaging");
    training.require(stepsPerRound >= 1, "--steps-per-round", stepsPerRound, "an integer >= 1", "e.g. --steps-per-round 5");
    training.require(training.batch >= 2, "--batch", training.batch,
        "an integer >= 2 (the other images of a worker's batch are the negatives)", "e.g. --batch 128");
    Files.createDirectories(training.out);
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch * workers); // [n, 1, 28, 28] in [0, 1]
    report.lap("load");

    SparkConf conf = new SparkConf().setAppName("ssl4j SimCLR on Fashion-MNIST").setIfMissing("spark.master", master)
        .setIfMissing("spark.ui.enabled", "false");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      JavaRDD<INDArray> rdd = sc.parallelize(rows(data.train().features()), workers);

      // the recipe: the same task and encoder as ContrastiveFashionMnist, trained by the workers
      ConvEncoder encoder = ConvEncoder.small(28, 28, 1);
      double t = temperature;
      SerializableSupplier<PretextTask> task = () -> ContrastiveTask.builder().temperature(t).build();
      String path = checkpoints != null ? checkpoints : training.out.resolve("spark-checkpoints").toUri().toString();
      SparkTraining how = (mode.equals("averaging") ? SparkTraining.parameterAveraging(stepsPerRound)
          : SparkTraining.gradientSharing(stepsPerRound)).checkpointPath(path).keepLastCheckpoints(2);
      deleteLocalCheckpoints(path); // each run of the example starts afresh, as the others do
      TrainingResult trained = new SparkPretrainer(sc, TrainingConfig.builder(training.batch).epochs(training.epochs)
          .seed(training.seed).updater(new Adam(training.lr)).build(), how)
          .fit(rdd, task, encoder);
      var pretraining = report.pretraining(trained, training.batch * workers,
          "SimCLR on Spark (" + workers + " workers, " + mode + "): NT-Xent loss");
      PretrainedEncoder pretrained = trained.pretrainedEncoder();
      pretrained.save(report.file("encoder.zip"));

      EncoderEvaluation.Frozen ev = EncoderEvaluation.frozen(pretrained, encoder, data.train(), data.test(), 300,
          training.seed, EncoderEvaluation.EMBED_BATCH);
      report.lap("evaluate");
      EncoderEvaluation.report(report, ev, 128);
      return report.finish(ExampleReport.title("SimCLR on Spark " + sc.master() + ", " + workers + " workers", data),
          new Result(data.origin(), data.train().size(), data.test().size(), sc.master(), workers, mode,
              stepsPerRound, pretraining, ev, report.seconds()));
    }
  }

  /** One element per image, [1, 28, 28], in the array's order. */
  private static List<INDArray> rows(INDArray images) {
    List<INDArray> rows = new ArrayList<>((int) images.size(0));
    for (long i = 0; i < images.size(0); i++) {
      rows.add(images.slice(i).dup());
    }
    return rows;
  }

  private static void deleteLocalCheckpoints(String uri) {
    if (!uri.startsWith("file:")) {
      return;
    }
    java.nio.file.Path dir = java.nio.file.Path.of(java.net.URI.create(uri));
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (java.nio.file.Path f : files.toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not clear " + dir + ": " + e.getMessage(), e);
    }
  }
}
