package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.nextframe.FrameDecoder;
import io.github.ssl4j.tasks.nextframe.FrameEncoder;
import io.github.ssl4j.tasks.nextframe.NextFrameTask;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Next-frame prediction on Moving Fashion-MNIST: pretrains a conv encoder → LSTM → deconv decoder
 * on generated sequences, then reports on held-out sequences the MSE and SSIM of frame 11 and of a
 * 10-frame rollout next to copying the last frame, and whether predicting motion taught the
 * per-frame encoder appearance (linear probe, kNN and few-label fine-tune on single Fashion-MNIST
 * images centred on the 64x64 canvas, next to a random-init encoder). Writes a PNG strip per
 * example sequence: context, truth, rollout and teacher-forced prediction.
 */
@Command(name = "NextFrameMovingFashionMnist", mixinStandardHelpOptions = true, description = "Next-frame prediction on"
    + " Moving Fashion-MNIST, evaluated against copying the last frame; then probe its per-frame encoder.")
public final class NextFrameMovingFashionMnist implements Callable<NextFrameMovingFashionMnist.Result> {
  /** The two architectures. */
  enum Model { lstm, convlstm }

  @Option(names = "--model", defaultValue = "lstm", description = "lstm: conv encoder -> dense 512 -> LSTM 512 ->"
      + " dense + deconv decoder; convlstm: the encoder's 64x16x16 map through a ConvLstm (64 filters, 3x3) to the"
      + " deconv decoder, no dense bottleneck (default ${DEFAULT-VALUE}).")
  Model model;

  @Option(names = "--compact", description = "The compact frame encoder of the CPC example (conv 16, 32, 32 to an 8x8"
      + " map; dense 128 for lstm, the map for convlstm), an LSTM of 128 or a ConvLstm of 32 filters, and a decoder"
      + " from an 8x8x32 map, so the two methods train the same encoder.")
  boolean compact;

  @Mixin ExampleOptions.MovingImages data = new ExampleOptions.MovingImages();
  @Mixin ClipEvaluation.Options clips = new ClipEvaluation.Options();
  @Mixin ExampleOptions.Training training =
      new ExampleOptions.Training("next-frame-moving-fashion-mnist", 4, 16, 1e-3, 0);

  /** What the example measured; accuracies are fractions in [0, 1]. */
  public record Result(String data, String model, long trainSequences, ExampleReport.Pretraining pretraining,
      NextFrameEvaluation.Outcome frames, EncoderEvaluation.Outcome clipTask, EncoderEvaluation.Outcome evaluation,
      Map<String, Double> seconds) {}

  /** Runs with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    return ExampleOptions.run(new NextFrameMovingFashionMnist(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new NextFrameMovingFashionMnist(), args);
  }

  @Override
  public Result call() {
    ExampleReport report = ExampleReport.start(training.out, "sequences");
    ExampleOptions.Sequences sequences = data.load(training.seed, training.batch); // [n, frames, 1, 64, 64]
    report.lap("load");

    // the recipe: a per-frame conv encoder, a (conv) LSTM over time, a deconv decoder of the next frame
    boolean conv = model == Model.convlstm;
    FrameEncoder encoder = conv ? FrameEncoder.smallMap(64, 64, 1) : FrameEncoder.small(64, 64, 1);
    NextFrameTask task = conv ? NextFrameTask.convLstm() : NextFrameTask.lstm();
    if (compact) {
      FrameEncoder.Builder b = FrameEncoder.builder(64, 64, 1).convWidths(16, 32, 32).embedding(128);
      encoder = conv ? b.keepMap().build() : b.build();
      NextFrameTask.Builder t = NextFrameTask.builder().decoder(FrameDecoder.builder(64, 64, 1).mapWidths(32, 16, 8).build());
      task = conv ? t.convolutional(32, 3).build() : t.hiddenSize(128).build();
    }
    TrainingResult trained = new Trainer(training.config()).fit(task, encoder, sequences.train());
    var pretraining = report.pretraining(trained, training.batch, "Pixel cross-entropy, summed over frames");
    var frames = NextFrameEvaluation.run(trained.graph(), sequences.test(), sequences.rollout(), report);
    var clipTask = ClipEvaluation.run(trained, encoder, sequences, clips, training.seed, report);
    report.lap("clip task");

    // does predicting motion teach appearance? the per-frame encoder on single images
    PretrainedEncoder pretrained = trained.pretrainedEncoder();
    EncoderEvaluation.Settings settings = data.settings(training.seed);
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder,
        NextFrameEvaluation.centred(sequences.probeTrain()), NextFrameEvaluation.centred(sequences.images().test()),
        settings);
    pretrained.save(report.file("encoder.zip"));
    report.lap("evaluate");
    report.line("single Fashion-MNIST images centred on the canvas:");
    EncoderEvaluation.report(report, ev, settings, encoder.representationSize());
    String title = "Next-frame prediction (" + model + " model) on Moving Fashion-MNIST";
    return report.finish(title + (sequences.images().isSample() ? " (bundled sample)" : ""),
        new Result(sequences.images().origin(), model.name(), sequences.train().size(), pretraining, frames, clipTask,
            ev, report.seconds()));
  }
}
