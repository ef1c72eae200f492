package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.simsiam.SimSiamTask;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * SimSiam on Fashion-MNIST: pretraining of a small CNN with a projector, a predictor and a
 * stop-gradient (no labels, no negatives), then its frozen 128-d representation under kNN and
 * linear probes (all labels and a few per class) and its label efficiency (fine-tuning encoder +
 * linear head on a few labels, against the same network from scratch), each next to a random-init
 * copy of the encoder.
 */
@Command(name = "SimSiamFashionMnist", mixinStandardHelpOptions = true,
    description = "SimSiam (predictor, stop-gradient, negative cosine) on Fashion-MNIST, then evaluate the representation.")
public final class SimSiamFashionMnist implements Callable<SimSiamFashionMnist.Result> {
  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("simsiam-fashion-mnist", 3, 256, 1e-3, 42);
  @Mixin ExampleOptions.FewLabels fewLabels = new ExampleOptions.FewLabels();

  /** What the example measured; accuracies are fractions in [0, 1], "random" the encoder with random weights. */
  public record Result(String data, int trainImages, int testImages,
      ExampleReport.Pretraining pretraining, EncoderEvaluation.Outcome evaluation, Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new SimSiamFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new SimSiamFashionMnist(), args);
  }

  @Override
  public Result call() {
    training.require(training.batch >= 2, "--batch", training.batch,
        "an integer >= 2 (batch norm in the heads needs a batch)", "e.g. --batch 256");
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch); // [n, 1, 28, 28] in [0, 1]
    EncoderEvaluation.Settings settings = fewLabels.settings(data.train(), training.seed);
    report.lap("load");

    // the recipe: a small CNN, two augmented views of each image, p of one view against z of the other
    ConvEncoder encoder = ConvEncoder.small(28, 28, 1);
    SimSiamTask task = SimSiamTask.simsiam(); // projector 512-512, predictor 128-512, SimCLR's views
    Trainer trainer = new Trainer(training.config());
    TrainingResult trained = trainer.fit(task, encoder, new ArraySource(data.train().features()));
    var pretraining = report.pretraining(trained, training.batch, "SimSiam: negative cosine");
    PretrainedEncoder pretrained = trained.pretrainedEncoder();
    pretrained.save(report.file("encoder.zip"));

    // the frozen representation (kNN, probes) and label efficiency, next to a random-init encoder
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder, data.train(), data.test(), settings);
    report.lap("evaluate");
    EncoderEvaluation.report(report, ev, settings, 128);
    return report.finish(ExampleReport.title("SimSiam", data), new Result(data.origin(), data.train().size(),
        data.test().size(), pretraining, ev, report.seconds()));
  }
}
