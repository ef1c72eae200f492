package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.cpc.CpcTask;
import io.github.ssl4j.tasks.nextframe.FrameEncoder;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Contrastive Predictive Coding on Moving Fashion-MNIST: pretrains a per-frame conv encoder and an
 * LSTM context network by predicting the latent codes 1-3 frames ahead against the codes of other
 * clips and other frames, then evaluates the encoder on the clip task (which garment moves through a
 * clip, few labels, against random init and training from scratch) and on single Fashion-MNIST
 * images centred on the 64x64 canvas (linear probe, kNN and few-label fine-tune).
 */
@Command(name = "CpcMovingFashionMnist", mixinStandardHelpOptions = true, description = "Contrastive Predictive"
    + " Coding on Moving Fashion-MNIST; then the clip task and single-image probes of its frame encoder.")
public final class CpcMovingFashionMnist implements Callable<CpcMovingFashionMnist.Result> {
  @Mixin ExampleOptions.MovingImages data = new ExampleOptions.MovingImages();
  @Mixin ClipEvaluation.Options clips = new ClipEvaluation.Options();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("cpc-moving-fashion-mnist", 2, 16, 1e-3, 0);

  /** What the example measured; accuracies are fractions in [0, 1]. */
  public record Result(String data, long trainSequences, ExampleReport.Pretraining pretraining,
      EncoderEvaluation.Outcome clipTask, EncoderEvaluation.Outcome singleImages, Map<String, Double> seconds) {}

  /** Runs with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new CpcMovingFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new CpcMovingFashionMnist(), args);
  }

  @Override
  public Result call() {
    ExampleReport report = ExampleReport.start(training.out, "sequences");
    ExampleOptions.Sequences sequences = data.load(training.seed, training.batch); // [n, 11, 1, 64, 64]
    report.lap("load");

    // the recipe: a per-frame conv encoder (64x64 -> 8x8x32 -> 128), an LSTM context, InfoNCE on future codes
    FrameEncoder encoder = FrameEncoder.builder(64, 64, 1).convWidths(16, 32, 32).embedding(128).build();
    CpcTask task = CpcTask.builder().contextSize(128).steps(3).build();
    TrainingResult trained = new Trainer(training.config()).fit(task, encoder, sequences.train());
    var pretraining = report.pretraining(trained, training.batch, "InfoNCE of predicted codes, mean over predictions");

    // the clip task: mean of per-frame codes, few labels, against random init and from scratch
    var clipTask = ClipEvaluation.run(trained, encoder, sequences, clips, training.seed, report);
    report.lap("clip task");

    // the per-frame encoder on single images
    PretrainedEncoder pretrained = trained.pretrainedEncoder();
    EncoderEvaluation.Settings settings = data.settings(training.seed);
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder,
        NextFrameEvaluation.centred(sequences.probeTrain()), NextFrameEvaluation.centred(sequences.images().test()),
        settings);
    pretrained.save(report.file("encoder.zip"));
    report.lap("evaluate");
    report.line("single Fashion-MNIST images centred on the canvas:");
    EncoderEvaluation.report(report, ev, settings, encoder.representationSize());
    String title = "Contrastive Predictive Coding on Moving Fashion-MNIST";
    return report.finish(title + (sequences.images().isSample() ? " (bundled sample)" : ""),
        new Result(sequences.images().origin(), sequences.train().size(), pretraining, clipTask, ev, report.seconds()));
  }
}
