package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.masked.MaskedImageTask;
import io.github.ssl4j.tasks.masked.RandomPatchMask;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Masked image modelling on Fashion-MNIST (no labels): a small CNN and a conv decoder learn to
 * inpaint hidden patches. Then the masked-pixel MSE on the test set (next to the mean training
 * image), a PNG grid of reconstructions, and the representation under kNN, linear probes and the
 * few-label fine-tune, next to a random-init encoder.
 */
@Command(name = "MaskedImageFashionMnist", mixinStandardHelpOptions = true,
    description = "Inpaint masked patches of Fashion-MNIST, then evaluate reconstructions and representation.")
public final class MaskedImageFashionMnist implements Callable<MaskedImageFashionMnist.Result> {
  @Option(names = "--patch", defaultValue = "4", description = "Side of the square patches that are masked, must divide 28 (default ${DEFAULT-VALUE}).")
  int patch;

  @Option(names = "--mask-ratio", defaultValue = "0.5", description = "Fraction of patches hidden per image, in (0, 1) (default ${DEFAULT-VALUE}).")
  double maskRatio;

  @Mixin ExampleOptions.Images images = new ExampleOptions.Images();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("masked-image-fashion-mnist", 3, 256, 1e-3, 42);
  @Mixin ExampleOptions.FewLabels fewLabels = new ExampleOptions.FewLabels();

  /** What the example measured: MSEs per hidden pixel on [0, 1] pixels; accuracies are fractions. */
  public record Result(String data, int trainImages, int testImages, int patch, double maskRatio,
      ExampleReport.Pretraining pretraining, InpaintingEvaluation.Mse testMaskedPixelMse,
      EncoderEvaluation.Outcome evaluation, Map<String, Double> seconds) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new MaskedImageFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new MaskedImageFashionMnist(), args);
  }

  @Override
  public Result call() {
    training.require(patch >= 1 && 28 % patch == 0, "--patch", patch, "a divisor of 28", "e.g. --patch 4 or 7");
    training.require(maskRatio > 0 && maskRatio < 1, "--mask-ratio", maskRatio, "a number in (0, 1)", "e.g. 0.5");
    ExampleReport report = ExampleReport.start(training.out, "images");
    FashionMnist data = images.load(training.batch); // [n, 1, 28, 28] in [0, 1]
    EncoderEvaluation.Settings settings = fewLabels.settings(data.train(), training.seed);
    report.lap("load");

    // the recipe: a CNN sees the image with hidden patches (+ the mask), a conv decoder fills them in
    ConvEncoder encoder = MaskedImageTask.smallCnnEncoder(28, 28, 1);
    MaskedImageTask task = MaskedImageTask.builder().masks(RandomPatchMask.of(patch, maskRatio)).build();
    Trainer trainer = new Trainer(training.config());
    TrainingResult trained = trainer.fit(task, encoder, new ArraySource(data.train().features()));
    var pretraining = report.pretraining(trained, training.batch, "Squared error over the hidden pixels of an image");
    var mse = InpaintingEvaluation.run(trained.graph(), task, data, training.seed, report);
    PretrainedEncoder pretrained = trained.pretrainedEncoder();
    pretrained.save(report.file("encoder.zip"));

    // the representation: unmasked image + empty mask channel, global average pool of the map
    LabelledData train = data.train().withFeatures(MaskedImageTask.withEmptyMask(data.train().features()));
    LabelledData test = data.test().withFeatures(MaskedImageTask.withEmptyMask(data.test().features()));
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder, train, test, settings);
    report.lap("evaluate");
    EncoderEvaluation.report(report, ev, settings, 128);
    String method = String.format("Masked image modelling (%dx%d patches, %.0f %% hidden)", patch, patch, 100 * maskRatio);
    return report.finish(ExampleReport.title(method, data), new Result(data.origin(), data.train().size(),
        data.test().size(), patch, maskRatio, pretraining, mse, ev, report.seconds()));
  }
}
