package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.MlpEncoder;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.tasks.DenoisingAutoencoderTask;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main example: pretrain an MLP encoder on Fashion-MNIST as a denoising autoencoder (no
 * labels), then measure what the representation learned with a kNN classifier (k = 200, T = 0.1)
 * and a linear probe fitted to convergence (L-BFGS), next to the same encoder with random weights.
 * Without the data set installed it runs on the bundled 10,000/2,000-image sample.
 *
 * <pre>
 * mvn -B -q -pl ssl-examples -am package -DskipTests exec:java
 * mvn -B -q -pl ssl-examples -am package -DskipTests exec:java -Dexec.args="--data /path/to/fashion-mnist --epochs 10"
 * </pre>
 */
@Command(name = "DenoisingFashionMnist", mixinStandardHelpOptions = true,
    description = "Pretrain a denoising autoencoder on Fashion-MNIST, then evaluate its encoder.")
public final class DenoisingFashionMnist implements Callable<DenoisingFashionMnist.Result> {
  @Option(names = "--noise", defaultValue = "0.3", description = "Gaussian noise sigma added to inputs (default ${DEFAULT-VALUE}).")
  double noise;

  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("denoising-fashion-mnist", 10, 128, 1e-3, 42);

  /** What the example measured; accuracies are fractions in [0, 1], seconds per phase. */
  public record Result(String data, int trainImages, int testImages, ExampleReport.Pretraining pretraining,
      EncoderEvaluation.Frozen evaluation, Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new DenoisingFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new DenoisingFashionMnist(), args);
  }

  @Override
  public Result call() {
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch);
    LabelledData train = data.train().withFeatures(FashionMnist.flat(data.train().features())); // [n, 784]
    LabelledData test = data.test().withFeatures(FashionMnist.flat(data.test().features()));
    report.lap("load");

    // the recipe: an MLP 784 -> 256 -> 64 learns to remove Gaussian noise from the images
    MlpEncoder encoder = MlpEncoder.builder(784).hiddenWidths(256, 64).build();
    DenoisingAutoencoderTask task =
        DenoisingAutoencoderTask.builder(DenoisingAutoencoderTask.Noise.gaussian(noise)).build();
    TrainingResult trained = new Trainer(training.config()).fit(task, encoder, new ArraySource(train.features()));
    var pretraining = report.pretraining(trained, training.batch, "Denoising autoencoder: reconstruction loss");
    PretrainedEncoder pretrained = trained.pretrainedEncoder();
    pretrained.save(report.file("encoder.zip"));

    // what the 64-d representation learned: kNN and linear probe, next to random weights
    EncoderEvaluation.Frozen ev = EncoderEvaluation.frozen(
        pretrained, encoder, train, test, EncoderEvaluation.PROBE_MAX_ITERATIONS, training.seed);
    report.lap("evaluate");
    EncoderEvaluation.report(report, ev, 64);
    return report.finish(ExampleReport.title("Denoising autoencoder", data),
        new Result(data.origin(), train.size(), test.size(), pretraining, ev, report.seconds()));
  }
}
