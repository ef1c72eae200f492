package io.github.ssl4j.examples;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.nextframe.ClipEncoder;
import io.github.ssl4j.tasks.nextframe.FrameEncoder;
import io.github.ssl4j.tasks.nextframe.MovingFashionMnist;
import io.github.ssl4j.tasks.nextframe.NextFrameTask;
import java.util.stream.LongStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Option;

/**
 * The clip-level downstream task on Moving Fashion-MNIST: which garment class moves through a clip
 * of one garment (10 classes, labels from the generator). The clip representation is the mean of
 * the per-frame codes of the pretrained frame encoder ({@link ClipEncoder}); the evaluation is
 * {@link EncoderEvaluation} on clips: kNN and linear probes, pretrained against a random-init copy,
 * and the few-label fine-tune (clip encoder + linear head) against the same network from scratch,
 * over several seeds. Labelled training clips come from the training images (their labels were never
 * used in pretraining), test clips from the held-out images.
 */
final class ClipEvaluation {
  private ClipEvaluation() {}

  /** The clip task's sizes and few-label settings. */
  static final class Options implements ExampleOptions.Checked {
    @Option(names = "--clip-frames", defaultValue = "4", description = "Frames per labelled clip (default ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--clip-train", defaultValue = "1000", description = "Labelled training clips, the pool of the few-label subsets (default ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--clip-test", defaultValue = "500", description = "Held-out test clips (default ${DEFAULT-VALUE}).")
    int test;

    @Option(names = "--clip-labels-per-class", defaultValue = "10", description = "Labelled clips per class for the few-label runs (default ${DEFAULT-VALUE}).")
    int labelsPerClass;

    @Option(names = "--clip-ft-epochs", defaultValue = "10", description = "Epochs of the few-label fine-tune and from-scratch runs on clips (default ${DEFAULT-VALUE}).")
    int ftEpochs;

    @Option(names = "--clip-head-warmup-epochs", defaultValue = "" + EncoderEvaluation.HEAD_WARMUP_EPOCHS, description = "Before fine-tuning the pretrained clip encoder, fit the new head alone on its frozen clip code for this many epochs (LP-FT; 0: none). The from-scratch network never gets a warm-up (default ${DEFAULT-VALUE}).")
    int headWarmupEpochs;

    @Option(names = "--clip-repeats", defaultValue = "3", description = "Seeds of the few-label runs on clips (default ${DEFAULT-VALUE}).")
    int repeats;

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE) picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void check() {
      ExampleOptions.require(spec, frames >= 1, "--clip-frames", frames, "an integer >= 1", "e.g. --clip-frames 4");
      ExampleOptions.require(spec, labelsPerClass >= 1, "--clip-labels-per-class", labelsPerClass, "an integer >= 1",
          "e.g. --clip-labels-per-class 10");
      ExampleOptions.require(spec, train >= 10 * labelsPerClass, "--clip-train", train,
          "at least 10 x --clip-labels-per-class", "e.g. --clip-train 1000");
      ExampleOptions.require(spec, test >= 1, "--clip-test", test, "an integer >= 1", "e.g. --clip-test 500");
      ExampleOptions.require(spec, ftEpochs >= 1, "--clip-ft-epochs", ftEpochs, "an integer >= 1", "e.g. --clip-ft-epochs 10");
      ExampleOptions.require(spec, headWarmupEpochs >= 0, "--clip-head-warmup-epochs", headWarmupEpochs,
          "an integer >= 0", "e.g. --clip-head-warmup-epochs 100, or 0 for no warm-up");
      ExampleOptions.require(spec, repeats >= 1, "--clip-repeats", repeats, "an integer >= 1", "e.g. --clip-repeats 3");
    }
  }

  /**
   * Runs the clip task for the frame encoder trained in {@code trained} and adds its lines to the
   * report.
   *
   * @param frames the per-frame encoder the pretraining graph was built with
   */
  static EncoderEvaluation.Outcome run(TrainingResult trained, Encoder frames, ExampleOptions.Sequences data,
      Options o, long seed, ExampleReport report) {
    return run(trained.graph(), trained.metadata(), frames, data.images(), o, seed, report);
  }

  /**
   * The clip task for a frame encoder in {@code graph} (a pretraining graph or a saved encoder's),
   * vertices named as {@code frames} builds them.
   */
  static EncoderEvaluation.Outcome run(org.deeplearning4j.nn.graph.ComputationGraph graph,
      io.github.ssl4j.core.ModelMetadata metadata, Encoder frames, FashionMnist fm, Options o, long seed,
      ExampleReport report) {
    ClipEncoder clip = ClipEncoder.of(frames);
    PretrainedEncoder pretrained = PretrainedEncoder.from(graph, clip, clip.metadata(metadata));
    LabelledData images = fm.train();
    long n = images.size();
    long split = n >= 60_000 ? 50_000 : n * 5 / 6;
    LabelledData train = clips(images, 0, split, seed + 10, o.train, o.frames);
    LabelledData test = clips(images, split, n, seed + 11, o.test, o.frames);
    EncoderEvaluation.Settings s = new EncoderEvaluation.Settings(o.labelsPerClass,
        EncoderEvaluation.PROBE_MAX_ITERATIONS, o.ftEpochs, o.repeats, o.headWarmupEpochs, seed);
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, clip, train, test, s);
    report.line("clip task: garment class of %d-frame one-garment clips (%d train, %d test clips)",
        o.frames, o.train, o.test);
    EncoderEvaluation.report(report, ev, s, clip.representationSize());
    return ev;
  }

  /**
   * The clip task for a saved frame encoder: {@code <encoder.zip> <conv widths, e.g. 16,32,32> <dense
   * size, 0 for a map> [--clip-* options] [--seed s] [--data dir] [--out dir]}.
   */
  public static void main(String[] args) {
    PretrainedEncoder saved = PretrainedEncoder.load(java.nio.file.Path.of(args[0]));
    int[] widths = java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
    int dense = Integer.parseInt(args[2]);
    Cli cli = new Cli();
    new picocli.CommandLine(cli).parseArgs(java.util.Arrays.copyOfRange(args, 3, args.length));
    cli.options.check();
    FrameEncoder.Builder b = FrameEncoder.builder(64, 64, 1).convWidths(widths);
    FrameEncoder frames = dense > 0 ? b.embedding(dense).build() : b.keepMap().build();
    try {
      java.nio.file.Files.createDirectories(cli.out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("could not create the output directory " + cli.out + ": " + e.getMessage(), e);
    }
    ExampleReport report = ExampleReport.start(cli.out, "clips");
    EncoderEvaluation.Outcome ev = run(saved.graph(), saved.metadata(), frames,
        ExampleOptions.Images.load(cli.data, -1, -1), cli.options, cli.seed, report);
    report.finish("Clip task of " + args[0], java.util.Map.of("encoder", args[0], "clipTask", ev));
  }

  /** The command line of {@link #main}. */
  @picocli.CommandLine.Command(name = "ClipEvaluation")
  static final class Cli {
    @picocli.CommandLine.Mixin Options options = new Options();

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--data")
    java.nio.file.Path data;

    @Option(names = "--out", defaultValue = "target/examples/clip-evaluation")
    java.nio.file.Path out;
  }

  /** {@code count} labelled one-garment clips from images [from, to), as time series [count, pixels, frames]. */
  private static LabelledData clips(LabelledData images, long from, long to, long seed, int count, int frames) {
    INDArray pool = images.features().get(NDArrayIndex.interval(from, to));
    int[] labels = java.util.Arrays.copyOfRange(images.labels(), (int) from, (int) to);
    MovingFashionMnist source = MovingFashionMnist.builder(pool).labels(labels).objects(1).frames(frames)
        .seed(seed).sequences(count).build();
    INDArray x = NextFrameTask.asTimeSeries(source.get(LongStream.range(0, count).toArray()));
    return new LabelledData(x, source.clipClasses(), images.numClasses());
  }
}
