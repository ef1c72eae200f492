package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.vicreg.VicRegTask;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * VICReg on Fashion-MNIST: pretraining of a small CNN and an expander with the invariance, variance
 * and covariance terms (no labels, no negatives), then its frozen 128-d representation under kNN and
 * linear probes (all labels and a few per class) and its label efficiency (fine-tuning on a few
 * labels against the same network from scratch), each next to a random-init copy of the encoder.
 */
@Command(name = "VicRegFashionMnist", mixinStandardHelpOptions = true,
    description = "VICReg (invariance, variance, covariance) on Fashion-MNIST, then evaluate the representation.")
public final class VicRegFashionMnist implements Callable<VicRegFashionMnist.Result> {
  @Option(names = "--weights", split = ",", defaultValue = "25,25,1",
      description = "Weights of the invariance, variance and covariance terms (default ${DEFAULT-VALUE}).")
  double[] weights;

  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("vicreg-fashion-mnist", 3, 256, 1e-3, 42);
  @Mixin ExampleOptions.FewLabels fewLabels = new ExampleOptions.FewLabels();

  /** What the example measured; accuracies are fractions in [0, 1], "random" the encoder with random weights. */
  public record Result(String data, int trainImages, int testImages, double[] weights,
      ExampleReport.Pretraining pretraining, EncoderEvaluation.Outcome evaluation, Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new VicRegFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new VicRegFashionMnist(), args);
  }

  @Override
  public Result call() {
    training.require(training.batch >= 2, "--batch", training.batch,
        "an integer >= 2 (the variance and covariance are taken over the batch)", "e.g. --batch 256");
    training.require(weights.length == 3 && java.util.Arrays.stream(weights).allMatch(w -> w >= 0 && Double.isFinite(w)),
        "--weights", java.util.Arrays.toString(weights), "three finite numbers >= 0", "the paper uses --weights 25,25,1");
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch); // [n, 1, 28, 28] in [0, 1]
    EncoderEvaluation.Settings settings = fewLabels.settings(data.train(), training.seed);
    report.lap("load");

    // the recipe: a small CNN, two augmented views of each image, VICReg's three terms on the expander
    ConvEncoder encoder = ConvEncoder.small(28, 28, 1);
    VicRegTask task = VicRegTask.builder().weights(weights[0], weights[1], weights[2]).build(); // 512-512-512
    Trainer trainer = new Trainer(training.config());
    TrainingResult trained = trainer.fit(task, encoder, new ArraySource(data.train().features()));
    var pretraining = report.pretraining(trained, training.batch, "VICReg loss");
    PretrainedEncoder pretrained = trained.pretrainedEncoder();
    pretrained.save(report.file("encoder.zip"));

    // the frozen representation (kNN, probes) and label efficiency, next to a random-init encoder
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder, data.train(), data.test(), settings);
    report.lap("evaluate");
    EncoderEvaluation.report(report, ev, settings, 128);
    return report.finish(ExampleReport.title("VICReg", data), new Result(data.origin(), data.train().size(),
        data.test().size(), weights.clone(), pretraining, ev, report.seconds()));
  }
}
