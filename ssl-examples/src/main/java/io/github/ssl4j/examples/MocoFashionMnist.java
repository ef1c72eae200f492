package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.moco.MocoTask;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * MoCo v2 on Fashion-MNIST: a small CNN and MLP head learn to pick, for one view of an image, the
 * momentum encoder's key of another view out of a queue of earlier keys (no labels); then its
 * frozen 128-d representation under kNN and linear probes and its few-label fine-tune against
 * scratch, each next to a random-init copy of the encoder.
 */
@Command(name = "MocoFashionMnist", mixinStandardHelpOptions = true,
    description = "MoCo v2 (momentum encoder, queue of negatives) on Fashion-MNIST, then evaluate the representation.")
public final class MocoFashionMnist implements Callable<MocoFashionMnist.Result> {
  @Option(names = "--queue", defaultValue = "4096", description = "Negative keys in the queue (default ${DEFAULT-VALUE}).")
  int queue;

  @Option(names = "--momentum", defaultValue = "0.99", description = "Momentum encoder EMA momentum (default ${DEFAULT-VALUE}).")
  double momentum;

  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("moco-fashion-mnist", 3, 256, 1e-3, 42);
  @Mixin ExampleOptions.FewLabels fewLabels = new ExampleOptions.FewLabels();

  /** What the example measured; accuracies are fractions in [0, 1], "random" the encoder with random weights. */
  public record Result(String data, int trainImages, int testImages, int queue, double momentum,
      ExampleReport.Pretraining pretraining, EncoderEvaluation.Outcome evaluation, Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new MocoFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new MocoFashionMnist(), args);
  }

  @Override
  public Result call() {
    training.require(queue >= 1, "--queue", queue, "an integer >= 1", "e.g. --queue 4096");
    training.require(momentum >= 0 && momentum <= 1, "--momentum", momentum, "a number in [0, 1]", "e.g. --momentum 0.99");
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch); // [n, 1, 28, 28] in [0, 1]
    EncoderEvaluation.Settings settings = fewLabels.settings(data.train(), training.seed);
    report.lap("load");

    // the recipe: a small CNN, an MLP head, a momentum key encoder and a queue; InfoNCE at temperature 0.2
    ConvEncoder encoder = ConvEncoder.small(28, 28, 1);
    MocoTask task = MocoTask.builder().queueSize(queue).momentum(momentum).build();
    TrainingResult trained = new Trainer(training.config()).fit(task, encoder, new ArraySource(data.train().features()));
    var pretraining = report.pretraining(trained, training.batch, "MoCo v2: InfoNCE against the queue");
    PretrainedEncoder pretrained = trained.pretrainedEncoder(); // the query encoder
    pretrained.save(report.file("encoder.zip"));

    // the frozen representation (kNN, probes) and label efficiency, next to a random-init encoder
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder, data.train(), data.test(), settings);
    report.lap("evaluate");
    EncoderEvaluation.report(report, ev, settings, 128);
    return report.finish(ExampleReport.title("MoCo v2", data), new Result(data.origin(), data.train().size(),
        data.test().size(), queue, momentum, pretraining, ev, report.seconds()));
  }
}
