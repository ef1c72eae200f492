package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.dl4j.Dl4jSetup;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.nextframe.FrameEncoder;
import io.github.ssl4j.tasks.nextframe.FrameMetrics;
import io.github.ssl4j.tasks.nextframe.MovingFashionMnist;
import io.github.ssl4j.tasks.nextframe.NextFrameTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Workload W4: next-frame prediction on Moving Fashion-MNIST. Pretrains the W4 model (conv encoder
 * → LSTM → deconv decoder) on generated sequences made from training images 0..49999, then reports
 * on held-out sequences (made from images 50000..59999) the per-frame MSE and SSIM of frame 11 and
 * of a 10-frame rollout next to the copy-the-last-frame baseline, and whether predicting motion
 * taught the per-frame encoder appearance (linear probe, kNN and few-label fine-tune on single
 * Fashion-MNIST images centred on the 64x64 canvas, next to a random-init encoder). Writes a PNG
 * strip per example sequence: context, truth, teacher-forced prediction and rollout.
 *
 * <pre>
 * mvn -B -q -pl ssl-examples -am package -DskipTests exec:java \
 *     -Dexec.mainClass=io.github.ssl4j.examples.NextFrameMovingFashionMnist
 * </pre>
 */
@Command(
    name = "NextFrameMovingFashionMnist",
    mixinStandardHelpOptions = true,
    description = "Pretrain the W4 next-frame model on Moving Fashion-MNIST, then evaluate its"
        + " predictions against copying the last frame and probe its per-frame encoder.")
public final class NextFrameMovingFashionMnist implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(NextFrameMovingFashionMnist.class);
  private static final int EVAL_BATCH = 50;
  private static final int CONTEXT = 10;

  @Option(names = "--data", description = "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist if installed, else the bundled sample).")
  Path data;

  /** The two W4 architectures. */
  enum Model { lstm, convlstm }

  @Option(names = "--model", defaultValue = "lstm", description = "lstm: the W4 reference model (conv encoder -> dense 512 -> LSTM 512 -> dense + deconv decoder);"
      + " convlstm: the encoder's 64x16x16 map through a ConvLstm (64 filters, 3x3) to the deconv decoder, no dense bottleneck (default ${DEFAULT-VALUE}).")
  Model model;

  @Option(names = "--sequences", defaultValue = "2000", description = "Training sequences (default ${DEFAULT-VALUE}).")
  long sequences;

  @Option(names = "--epochs", defaultValue = "4", description = "Passes over the training sequences (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "16", description = "Sequences per step (default ${DEFAULT-VALUE}, W4).")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--test-sequences", defaultValue = "1000", description = "Held-out sequences for frame-11 metrics (default ${DEFAULT-VALUE}, as the peer).")
  int testSequences;

  @Option(names = "--rollout-sequences", defaultValue = "200", description = "Held-out sequences of 20 frames for the 10-frame rollout (default ${DEFAULT-VALUE}).")
  int rolloutSequences;

  @Option(names = "--probe-train", defaultValue = "10000", description = "Fashion-MNIST training images for the representation probes, -1 for all (default ${DEFAULT-VALUE}).")
  int probeTrain;

  @Option(names = "--probe-test", defaultValue = "2000", description = "Fashion-MNIST test images for the probes, -1 for all (default ${DEFAULT-VALUE}).")
  int probeTest;

  @Option(names = "--ft-epochs", defaultValue = "20", description = "Epochs of the few-label fine-tune and scratch runs (default ${DEFAULT-VALUE}).")
  int ftEpochs;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the data sets and the training (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", defaultValue = "target/examples/next-frame-moving-fashion-mnist", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Spec CommandSpec spec;

  private Result result;

  /** Frame metrics: MSE summed over the 64x64 pixels of a frame, SSIM in [-1, 1]. */
  public record FrameScores(double mse, double ssim, double copyLastMse, double copyLastSsim) {}

  /** What the example measured; accuracies are fractions. */
  public record Result(
      String data, String model, long trainSequences, int epochs, long steps, double firstLoss, double finalLoss,
      double sequencesPerSecond, int testSequences, FrameScores frame11, double frames2to11Mse,
      int rolloutSequences, FrameScores rollout10, double probePretrained, double probeRandom,
      double knnPretrained, double knnRandom, double fineTunePretrained, double fineTuneScratch,
      double pretrainSeconds, double totalSeconds) {}

  /** Runs with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    NextFrameMovingFashionMnist app = new NextFrameMovingFashionMnist();
    return ExampleSupport.run(app, () -> app.result, args);
  }

  public static void main(String[] args) {
    Dl4jSetup.ensureConfigured();
    System.exit(new CommandLine(new NextFrameMovingFashionMnist()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    validate();
    long start = System.nanoTime();
    FashionMnist fm = FashionMnist.load(data, -1, probeTest);
    ExampleSupport.announce(fm);
    INDArray images = fm.train().features();
    long n = images.size(0);
    long split = n >= 60_000 ? 50_000 : n * 5 / 6; // the peer: train images 0..49999, held out 50000..
    INDArray trainPool = images.get(NDArrayIndex.interval(0, split));
    INDArray heldPool = images.get(NDArrayIndex.interval(split, n));
    MovingFashionMnist train = MovingFashionMnist.builder(trainPool).seed(seed).sequences(sequences).build();
    MovingFashionMnist test = MovingFashionMnist.builder(heldPool).seed(seed + 1).sequences(testSequences).build();
    MovingFashionMnist longTest = MovingFashionMnist.builder(heldPool).seed(seed + 2).frames(2 * CONTEXT)
        .sequences(rolloutSequences).build();
    LOG.info("{}; held out: {}", train, test);

    FrameEncoder encoder = model == Model.convlstm ? FrameEncoder.smallMap(64, 64, 1) : FrameEncoder.small(64, 64, 1);
    NextFrameTask task = model == Model.convlstm ? NextFrameTask.convLstm() : NextFrameTask.lstm();
    TrainingConfig config = TrainingConfig.builder(batch).epochs(epochs).seed(seed).updater(new Adam(lr))
        .logEverySteps(25).checkpointDir(out.resolve("checkpoints")).overwrite(true).build();
    Files.createDirectories(out);
    long t = System.nanoTime();
    TrainingResult trained = new Trainer(config).fit(task, encoder, train);
    double pretrainSeconds = EncoderEvaluation.seconds(t);
    trained.writeHistory(out);
    EncoderEvaluation.writeLossCurve(trained.history(),
        "Next-frame prediction (W4): cross-entropy summed over pixels and steps", out.resolve("loss-curve.png"));
    ComputationGraph graph = trained.graph();

    // ---- frame 11 (teacher forcing over frames 1..10) and frames 2..11, against copying the last frame
    double mse = 0;
    double ssim = 0;
    double copyMse = 0;
    double copySsim = 0;
    double allMse = 0;
    for (int i = 0; i < testSequences; i += EVAL_BATCH) {
      int m = Math.min(EVAL_BATCH, testSequences - i);
      INDArray seq = test.get(LongStream.range(i, i + m).toArray());
      INDArray pred = NextFrameTask.predictNext(graph, seq); // frames 2..11
      INDArray truth11 = frame(seq, 10);
      INDArray pred11 = frame(pred, 9);
      INDArray last = frame(seq, 9);
      mse += m * FrameMetrics.mseSumPerFrame(pred11, truth11);
      ssim += m * FrameMetrics.ssim(pred11, truth11);
      copyMse += m * FrameMetrics.mseSumPerFrame(last, truth11);
      copySsim += m * FrameMetrics.ssim(last, truth11);
      INDArray truthAll = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 11)).dup().reshape(m * 10L, 1, 64, 64);
      allMse += m * FrameMetrics.mseSumPerFrame(pred.reshape(m * 10L, 1, 64, 64), truthAll);
    }
    FrameScores frame11 = new FrameScores(mse / testSequences, ssim / testSequences,
        copyMse / testSequences, copySsim / testSequences);

    // ---- 10-frame rollout from 10 context frames, against repeating the last context frame
    double rMse = 0;
    double rSsim = 0;
    double rCopyMse = 0;
    double rCopySsim = 0;
    INDArray stripSeq = null;
    INDArray stripRoll = null;
    for (int i = 0; i < rolloutSequences; i += EVAL_BATCH) {
      int m = Math.min(EVAL_BATCH, rolloutSequences - i);
      INDArray seq = longTest.get(LongStream.range(i, i + m).toArray());
      INDArray context = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(0, CONTEXT)).dup();
      INDArray roll = NextFrameTask.rollout(graph, context, CONTEXT);
      INDArray future = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(CONTEXT, 2 * CONTEXT)).dup();
      INDArray last = frame(seq, CONTEXT - 1);
      for (int k = 0; k < CONTEXT; k++) {
        INDArray truth = frame(future, k);
        rMse += m * FrameMetrics.mseSumPerFrame(frame(roll, k), truth) / CONTEXT;
        rSsim += m * FrameMetrics.ssim(frame(roll, k), truth) / CONTEXT;
        rCopyMse += m * FrameMetrics.mseSumPerFrame(last, truth) / CONTEXT;
        rCopySsim += m * FrameMetrics.ssim(last, truth) / CONTEXT;
      }
      if (stripSeq == null) {
        stripSeq = seq.get(NDArrayIndex.interval(0, Math.min(2, m))).dup();
        stripRoll = roll.get(NDArrayIndex.interval(0, Math.min(2, m))).dup();
      }
    }
    FrameScores rollout = new FrameScores(rMse / rolloutSequences, rSsim / rolloutSequences,
        rCopyMse / rolloutSequences, rCopySsim / rolloutSequences);
    writeStrips(graph, stripSeq, stripRoll, out.resolve("predictions.png"));

    // ---- does predicting motion teach appearance? the per-frame encoder on single images
    PretrainedEncoder pretrained = PretrainedEncoder.from(graph, encoder, trained.metadata());
    LabelledData probeTrainSet = centred(limit(fm.train(), probeTrain));
    LabelledData probeTestSet = centred(fm.test());
    EncoderEvaluation.Outcome ev = EncoderEvaluation.run(pretrained, encoder, probeTrainSet, probeTestSet,
        new EncoderEvaluation.Settings(60, EncoderEvaluation.PROBE_MAX_ITERATIONS, ftEpochs, 1, 0, seed));
    pretrained.save(out.resolve("encoder.zip"));

    result = new Result(fm.origin(), model.name(), sequences, epochs, trained.steps(), trained.history().get(0).loss(),
        trained.finalLoss(), trained.samplesPerSecond(), testSequences, frame11, allMse / testSequences,
        rolloutSequences, rollout, ev.probePretrained(), ev.probeRandom(), ev.knnPretrained(), ev.knnRandom(),
        ev.fineTunePretrained(), ev.fineTuneScratch(), pretrainSeconds, EncoderEvaluation.seconds(start));
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(), result);
    print(fm.isSample(), ev);
    return 0;
  }

  /** Frame t of sequences [n, T, 1, h, w], as [n, 1, h, w]. */
  private static INDArray frame(INDArray seq, int t) {
    return seq.get(NDArrayIndex.all(), NDArrayIndex.point(t)).dup();
  }

  private static LabelledData limit(LabelledData d, int max) {
    if (max < 0 || max >= d.size()) {
      return d;
    }
    return d.subset(java.util.stream.IntStream.range(0, max).toArray());
  }

  /** 28x28 images centred on the 64x64 canvas the encoder was trained on. */
  private static LabelledData centred(LabelledData d) {
    INDArray x = d.features();
    long n = x.size(0);
    INDArray canvas = Nd4j.zeros(DataType.FLOAT, n, 1, 64, 64);
    canvas.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(18, 46), NDArrayIndex.interval(18, 46))
        .assign(x.reshape(n, 1, 28, 28));
    return d.withFeatures(canvas);
  }

  /** Per sequence: context 1..10 | truth 11..20 | rollout 11..20 | teacher-forced 2..11. */
  private static void writeStrips(ComputationGraph graph, INDArray seq, INDArray roll, Path png) throws IOException {
    INDArray firstEleven = seq.get(NDArrayIndex.all(), NDArrayIndex.interval(0, CONTEXT + 1)).dup();
    INDArray forced = NextFrameTask.predictNext(graph, firstEleven);
    java.util.List<INDArray> rows = new java.util.ArrayList<>();
    for (int s = 0; s < seq.size(0); s++) {
      rows.add(seq.get(NDArrayIndex.point(s), NDArrayIndex.interval(0, CONTEXT)).dup());
      rows.add(seq.get(NDArrayIndex.point(s), NDArrayIndex.interval(CONTEXT, 2 * CONTEXT)).dup());
      rows.add(roll.get(NDArrayIndex.point(s)).dup());
      rows.add(forced.get(NDArrayIndex.point(s)).dup());
    }
    ImageGrid.write(rows.toArray(new INDArray[0]), 1, png);
  }

  private void print(boolean sample, EncoderEvaluation.Outcome ev) {
    Result r = result;
    System.out.printf("%nNext-frame prediction (W4, %s model) on Moving Fashion-MNIST%s%n", r.model(),
        sample ? " (bundled sample)" : "");
    System.out.printf("  pretraining: %d sequences x %d epochs, %d steps of %d, loss %.1f -> %.1f, %.1f sequences/s%n",
        r.trainSequences(), r.epochs(), r.steps(), batch, r.firstLoss(), r.finalLoss(), r.sequencesPerSecond());
    System.out.printf("  held-out (%d sequences)      model    copy last frame%n", r.testSequences());
    System.out.printf("  frame 11 MSE (sum/frame)  %7.1f    %7.1f%n", r.frame11().mse(), r.frame11().copyLastMse());
    System.out.printf("  frame 11 SSIM             %7.3f    %7.3f%n", r.frame11().ssim(), r.frame11().copyLastSsim());
    System.out.printf("  frames 2-11 MSE           %7.1f%n", r.frames2to11Mse());
    System.out.printf("  10-frame rollout MSE      %7.1f    %7.1f   (%d sequences)%n", r.rollout10().mse(),
        r.rollout10().copyLastMse(), r.rolloutSequences());
    System.out.printf("  10-frame rollout SSIM     %7.3f    %7.3f%n", r.rollout10().ssim(), r.rollout10().copyLastSsim());
    System.out.printf("  per-frame encoder on single images   pretrained   random init%n");
    System.out.printf("  linear probe                           %6.2f %%     %6.2f %%%n", 100 * ev.probePretrained(), 100 * ev.probeRandom());
    System.out.printf("  kNN                                    %6.2f %%     %6.2f %%%n", 100 * ev.knnPretrained(), 100 * ev.knnRandom());
    System.out.printf("  600-label fine-tune vs scratch         %6.2f %%     %6.2f %%%n", 100 * ev.fineTunePretrained(), 100 * ev.fineTuneScratch());
    System.out.printf("  seconds: pretrain %.1f, total %.1f; results in %s%n", r.pretrainSeconds(), r.totalSeconds(),
        out.resolve("results.json"));
  }

  private void validate() {
    ExampleSupport.require(spec, sequences >= batch, "--sequences", sequences, "at least --batch (" + batch + ")", "e.g. --sequences 2000");
    ExampleSupport.require(spec, epochs >= 1, "--epochs", epochs, "an integer >= 1", "e.g. --epochs 4");
    ExampleSupport.require(spec, batch >= 1, "--batch", batch, "an integer >= 1", "e.g. --batch 16");
    ExampleSupport.require(spec, lr > 0 && Double.isFinite(lr), "--lr", lr, "a finite number > 0", "e.g. --lr 1e-3");
    ExampleSupport.require(spec, testSequences >= 1, "--test-sequences", testSequences, "an integer >= 1", "e.g. --test-sequences 1000");
    ExampleSupport.require(spec, rolloutSequences >= 1, "--rollout-sequences", rolloutSequences, "an integer >= 1", "e.g. --rollout-sequences 200");
    ExampleSupport.require(spec, ftEpochs >= 1, "--ft-epochs", ftEpochs, "an integer >= 1", "e.g. --ft-epochs 20");
    ExampleSupport.require(spec, probeTrain == -1 || probeTrain >= 600, "--probe-train", probeTrain, "-1 (all) or >= 600", "e.g. --probe-train 10000");
    ExampleSupport.require(spec, probeTest == -1 || probeTest >= 1, "--probe-test", probeTest, "-1 (all) or >= 1", "e.g. --probe-test 2000");
  }
}
