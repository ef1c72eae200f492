package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.byol.ByolTask;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * BYOL on Fashion-MNIST: a small CNN learns to predict, for one view of an image, the projection an
 * EMA copy of itself gives another view (no labels, no negatives); then its frozen 128-d
 * representation under kNN and linear probes and its few-label fine-tune against scratch, each
 * next to a random-init copy of the encoder.
 */
@Command(name = "ByolFashionMnist", mixinStandardHelpOptions = true,
    description = "BYOL (online network vs EMA target) on Fashion-MNIST, then evaluate the representation.")
public final class ByolFashionMnist implements Callable<ByolFashionMnist.Result> {
  @Option(names = "--base-momentum", defaultValue = "0.996", description = "Target EMA momentum at step 0, rising to 1 (default ${DEFAULT-VALUE}).")
  double baseMomentum;

  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("byol-fashion-mnist", 3, 256, 1e-3, 42);
  @Mixin ExampleOptions.FewLabels fewLabels = new ExampleOptions.FewLabels();

  /** What the example measured; accuracies are fractions in [0, 1], "random" the encoder with random weights. */
  public record Result(String data, int trainImages, int testImages, double baseMomentum,
      ExampleReport.Pretraining pretraining, EncoderEvaluation.Outcome evaluation, Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new ByolFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new ByolFashionMnist(), args);
  }

  @Override
  public Result call() {
    training.require(baseMomentum >= 0 && baseMomentum <= 1, "--base-momentum", baseMomentum,
        "a number in [0, 1]", "BYOL uses 0.996");
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch); // [n, 1, 28, 28] in [0, 1]
    EncoderEvaluation.Settings settings = fewLabels.settings(data.train(), training.seed);
    report.lap("load");

    // the recipe: a small CNN, projector and predictor, an EMA target, two views per image
    ConvEncoder encoder = ConvEncoder.small(28, 28, 1);
    ByolTask task = ByolTask.builder().baseMomentum(baseMomentum).build();
    TrainingResult trained = new Trainer(training.config()).fit(task, encoder, new ArraySource(data.train().features()));
    var pretraining = report.pretraining(trained, training.batch, "BYOL: 2 - 2 cos(prediction, target)");
    PretrainedEncoder pretrained = trained.pretrainedEncoder(); // the online encoder
    pretrained.save(report.file("encoder.zip"));

    // the frozen representation (kNN, probes) and label efficiency, next to a random-init encoder
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder, data.train(), data.test(), settings);
    report.lap("evaluate");
    EncoderEvaluation.report(report, ev, settings, 128);
    return report.finish(ExampleReport.title("BYOL", data), new Result(data.origin(), data.train().size(),
        data.test().size(), baseMomentum, pretraining, ev, report.seconds()));
  }
}
