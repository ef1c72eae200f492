package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.dino.DinoTask;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * DINO on Fashion-MNIST: a small CNN learns to output, for one view of an image, the centred and
 * sharpened distribution an EMA teacher gives another view (no labels, no negatives); then its frozen 128-d
 * representation under kNN and linear probes and its few-label fine-tune against scratch, each
 * next to a random-init copy of the encoder.
 */
@Command(name = "DinoFashionMnist", mixinStandardHelpOptions = true,
    description = "DINO (student vs centred, sharpened EMA teacher) on Fashion-MNIST, then evaluate the representation.")
public final class DinoFashionMnist implements Callable<DinoFashionMnist.Result> {
  @Option(names = "--prototypes", defaultValue = "1024", description = "Output dimension K of the DINO head (default ${DEFAULT-VALUE}).")
  int prototypes;

  @Option(names = "--teacher-temperature", defaultValue = "0.04", description = "Teacher (sharpening) temperature (default ${DEFAULT-VALUE}).")
  double teacherTemperature;

  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("dino-fashion-mnist", 3, 256, 1e-3, 42);
  @Mixin ExampleOptions.FewLabels fewLabels = new ExampleOptions.FewLabels();

  /** What the example measured; accuracies are fractions in [0, 1], "random" the encoder with random weights. */
  public record Result(String data, int trainImages, int testImages, int prototypes, double teacherTemperature,
      ExampleReport.Pretraining pretraining, EncoderEvaluation.Outcome evaluation, Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new DinoFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new DinoFashionMnist(), args);
  }

  @Override
  public Result call() {
    training.require(prototypes >= 2, "--prototypes", prototypes, "an integer >= 2", "e.g. --prototypes 1024");
    training.require(teacherTemperature > 0 && Double.isFinite(teacherTemperature), "--teacher-temperature",
        teacherTemperature, "a finite number > 0", "DINO uses 0.04 to 0.07");
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch); // [n, 1, 28, 28] in [0, 1]
    EncoderEvaluation.Settings settings = fewLabels.settings(data.train(), training.seed);
    report.lap("load");

    // the recipe: a small CNN, the DINO head, an EMA teacher with centring and sharpening, two views
    ConvEncoder encoder = ConvEncoder.small(28, 28, 1);
    DinoTask task = DinoTask.builder().prototypes(prototypes).teacherTemperature(teacherTemperature).build();
    TrainingResult trained = new Trainer(training.config()).fit(task, encoder, new ArraySource(data.train().features()));
    var pretraining = report.pretraining(trained, training.batch, "DINO: cross-entropy of teacher and student distributions");
    PretrainedEncoder pretrained = trained.pretrainedEncoder(); // the student encoder
    pretrained.save(report.file("encoder.zip"));

    // the frozen representation (kNN, probes) and label efficiency, next to a random-init encoder
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder, data.train(), data.test(), settings);
    report.lap("evaluate");
    EncoderEvaluation.report(report, ev, settings, 128);
    return report.finish(ExampleReport.title("DINO", data), new Result(data.origin(), data.train().size(),
        data.test().size(), prototypes, teacherTemperature, pretraining, ev, report.seconds()));
  }
}
