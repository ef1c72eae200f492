package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.VisionTransformer;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.mae.MaskedAutoencoderTask;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * MAE on Fashion-MNIST (no labels): a tiny Vision Transformer sees a quarter of each image's
 * patches and a light decoder predicts the normalised pixels of the rest. Then the encoder, on
 * whole images, under kNN, linear probes and the few-label fine-tune, next to a random-init copy.
 */
@Command(name = "MaskedAutoencoderFashionMnist", mixinStandardHelpOptions = true,
    description = "MAE on a tiny Vision Transformer on Fashion-MNIST, then evaluate the representation.")
public final class MaskedAutoencoderFashionMnist implements Callable<MaskedAutoencoderFashionMnist.Result> {
  @Option(names = "--patch", defaultValue = "4", description = "Patch side of the ViT, must divide 28 (default ${DEFAULT-VALUE}).")
  int patch;

  @Option(names = "--mask-ratio", defaultValue = "0.75", description = "Fraction of patches removed per image, in (0, 1) (default ${DEFAULT-VALUE}).")
  double maskRatio;

  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("mae-fashion-mnist", 3, 256, 1e-3, 42);
  @Mixin ExampleOptions.FewLabels fewLabels = new ExampleOptions.FewLabels();

  /** What the example measured; accuracies are fractions in [0, 1], "random" the encoder with random weights. */
  public record Result(String data, int trainImages, int testImages, int patch, double maskRatio,
      ExampleReport.Pretraining pretraining, EncoderEvaluation.Outcome evaluation, Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new MaskedAutoencoderFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new MaskedAutoencoderFashionMnist(), args);
  }

  @Override
  public Result call() {
    training.require(patch >= 2 && 28 % patch == 0, "--patch", patch, "a divisor of 28 >= 2", "e.g. --patch 4 or 7");
    training.require(maskRatio > 0 && maskRatio < 1, "--mask-ratio", maskRatio, "a number in (0, 1)", "MAE uses 0.75");
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch); // [n, 1, 28, 28] in [0, 1]
    EncoderEvaluation.Settings settings = fewLabels.settings(data.train(), training.seed);
    report.lap("load");

    // the recipe: a tiny ViT encodes the visible patches only, a light decoder predicts the masked ones
    VisionTransformer encoder = VisionTransformer.tiny(28, 28, 1, patch);
    MaskedAutoencoderTask task = MaskedAutoencoderTask.builder(patch).maskRatio(maskRatio).build();
    TrainingResult trained = new Trainer(training.config()).fit(task, encoder, new ArraySource(data.train().features()));
    var pretraining = report.pretraining(trained, training.batch, "MAE: squared error on the masked patches' normalised pixels");
    PretrainedEncoder pretrained = trained.pretrainedEncoder(); // sees all patches, mean of the tokens
    pretrained.save(report.file("encoder.zip"));

    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder, data.train(), data.test(), settings);
    report.lap("evaluate");
    EncoderEvaluation.report(report, ev, settings, encoder.representationSize());
    String method = String.format("MAE (ViT, %dx%d patches, %.0f %% masked)", patch, patch, 100 * maskRatio);
    return report.finish(ExampleReport.title(method, data), new Result(data.origin(), data.train().size(),
        data.test().size(), patch, maskRatio, pretraining, ev, report.seconds()));
  }
}
