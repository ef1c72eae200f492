package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.dl4j.Dl4jSetup;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.eval.ClassifierTrainer;
import io.github.ssl4j.core.eval.FewLabelProtocol;
import io.github.ssl4j.core.eval.KnnClassifier;
import io.github.ssl4j.core.eval.LabelBudget;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.eval.LinearProbe;
import io.github.ssl4j.core.finetune.FineTuneAdapter;
import io.github.ssl4j.core.finetune.FineTuneMode;
import io.github.ssl4j.core.train.LossRecord;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Workload W1: SimCLR contrastive pretraining of the W1 CNN on Fashion-MNIST (no labels), then
 * the measurements of the W1 specification on the frozen 128-d representation (kNN, linear probe
 * on all labels and on a few labels per class) and label efficiency (fine-tuning encoder + linear
 * head on a few labels, against the same network trained from scratch), each next to a
 * random-init copy of the encoder.
 *
 * <pre>
 * mvn -B -q -pl ssl-examples -am package -DskipTests exec:java \
 *     -Dexec.mainClass=io.github.ssl4j.examples.ContrastiveFashionMnist
 * mvn -B -q -pl ssl-examples -am package -DskipTests exec:java \
 *     -Dexec.mainClass=io.github.ssl4j.examples.ContrastiveFashionMnist \
 *     -Dexec.args="--train-limit 5120 --test-limit 2000 --epochs 1"
 * </pre>
 */
@Command(
    name = "ContrastiveFashionMnist",
    mixinStandardHelpOptions = true,
    description =
        "Pretrain the W1 encoder with SimCLR (NT-Xent) on Fashion-MNIST, then evaluate its"
            + " representation and its label efficiency.")
public final class ContrastiveFashionMnist implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ContrastiveFashionMnist.class);

  /** Fine-tuning on the labelled subset: Adam with this learning rate (as the W1 peer). */
  static final double FINE_TUNE_LR = 1e-3;
  /** Fine-tuning minibatch size (as the W1 peer: 600 labels in 10 steps per epoch). */
  static final int FINE_TUNE_BATCH = 60;
  /** Images per forward pass when computing representations (bounds activation memory). */
  private static final int EMBED_BATCH = 1000;
  /**
   * A linear probe gets at least this many optimiser steps, so small sets are not under-fitted.
   * With {@link #PROBE_LR} this about converges: on 5,120 images, 800 steps at Adam 1e-3 left the
   * test accuracy about 5 points below 2,400 steps at 1e-2.
   */
  private static final int PROBE_MIN_STEPS = 1600;
  /** Adam learning rate of the linear probes (features are standardised first). */
  static final double PROBE_LR = 1e-2;
  /**
   * L2 coefficient of the linear probes: DL4J adds {@code l2 * W} to the gradient, so 2e-4 is the
   * W1 peer's penalty {@code 1e-4 * |W|^2} on the mean cross-entropy (peer.py logreg_accuracy).
   */
  static final double PROBE_L2 = 2e-4;

  @Option(names = "--data", description = "Directory with the four Fashion-MNIST *-ubyte.gz files (default: /usr/share/datasets/fashion-mnist if installed, else the bundled sample).")
  Path data;

  @Option(names = "--epochs", defaultValue = "3", description = "Pretraining epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "256", description = "Images per pretraining step; each gives 2 views, the other 2N-2 views are its negatives (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--temperature", defaultValue = "0.5", description = "NT-Xent temperature (default ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate of pretraining (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--ft-epochs", defaultValue = "50", description = "Epochs of the few-label fine-tune and from-scratch runs (default ${DEFAULT-VALUE}).")
  int ftEpochs;

  @Option(names = "--labels-per-class", defaultValue = "60", description = "Labelled training images per class for the few-label evaluations (default ${DEFAULT-VALUE}).")
  int labelsPerClass;

  @Option(names = "--probe-epochs", defaultValue = "-1", description = "Epochs of each linear probe (-1: automatic, at least 10 and at least " + PROBE_MIN_STEPS + " optimiser steps of batch 256; Adam " + PROBE_LR + ", L2 " + PROBE_L2 + ").")
  int probeEpochs;

  @Option(names = "--train-limit", defaultValue = "-1", description = "Use at most this many training images (-1: all).")
  int trainLimit;

  @Option(names = "--test-limit", defaultValue = "-1", description = "Use at most this many test images (-1: all).")
  int testLimit;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for everything, including the labelled subset (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", defaultValue = "target/examples/contrastive-fashion-mnist", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Spec CommandSpec spec;

  private Result result;

  /**
   * What the example measured. Accuracies and macro-F1 are fractions in [0, 1]; "random" is the
   * same encoder with random initial weights ({@link PretrainedEncoder#freshCopy}), "scratch" that
   * network trained on the labelled subset only.
   */
  public record Result(
      String data,
      int trainImages,
      int testImages,
      int epochs,
      int batch,
      double temperature,
      long steps,
      double firstLoss,
      double finalLoss,
      double imagesPerSecond,
      double knnPretrained,
      double knnRandom,
      double probePretrained,
      double probeRandom,
      int labelsPerClass,
      int fewLabels,
      double probeFewPretrained,
      double probeFewRandom,
      int ftEpochs,
      double fineTunePretrained,
      double fineTunePretrainedMacroF1,
      double fineTuneScratch,
      double fineTuneScratchMacroF1,
      int probeEpochsAll,
      int probeEpochsFew,
      Seconds seconds,
      String encoderFile,
      String lossCurveFile) {}

  /**
   * Wall-clock seconds per phase (pretrained and random encoder together where both are
   * evaluated).
   */
  public record Seconds(
      double load,
      double pretrain,
      double embed,
      double knn,
      double probe,
      double probeFew,
      double fineTunePretrained,
      double fineTuneScratch,
      double total) {}

  /** Runs the example with command-line arguments and returns what it measured. */
  public static Result run(String... args) {
    ContrastiveFashionMnist app = new ContrastiveFashionMnist();
    return ExampleSupport.run(app, () -> app.result, args);
  }

  public static void main(String[] args) {
    Dl4jSetup.ensureConfigured(); // before the first use of Nd4j
    System.exit(new CommandLine(new ContrastiveFashionMnist()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    validateOptions();
    long start = System.nanoTime();
    FashionMnist fm = FashionMnist.load(data, trainLimit, testLimit);
    ExampleSupport.announce(fm);
    LabelledData trainSet = fm.train(); // images [n, 1, 28, 28] in [0, 1], as ConvEncoder.w1 takes
    LabelledData testSet = fm.test();
    validateAgainstData(trainSet);
    LOG.info("{} training and {} test images", trainSet.size(), testSet.size());
    double loadSeconds = seconds(start);

    // ---- pretraining (W1: ConvEncoder.w1, T = 0.5, W1 head and augmentations, Adam)
    ConvEncoder encoder = ConvEncoder.w1();
    ContrastiveTask task = ContrastiveTask.builder().temperature(temperature).build();
    TrainingConfig config =
        TrainingConfig.builder(batch)
            .epochs(epochs)
            .seed(seed)
            .updater(new Adam(lr))
            .logEverySteps(20)
            .checkpointDir(out.resolve("checkpoints"))
            .build();
    Files.createDirectories(out);
    ExampleSupport.clearOldRun(out.resolve("checkpoints"));
    long t = System.nanoTime();
    TrainingResult trained = new Trainer(config).fit(task, encoder, new ArraySource(trainSet.features()));
    double pretrainSeconds = seconds(t);
    trained.writeHistory(out);
    Path lossCurve = out.resolve("loss-curve.png");
    writeLossCurve(trained.history(), lossCurve);

    PretrainedEncoder pretrained = PretrainedEncoder.from(trained.graph(), encoder, trained.metadata());
    Path encoderFile = out.resolve("encoder.zip");
    pretrained.save(encoderFile);
    ComputationGraph random = pretrained.freshCopy(seed); // same architecture, random weights
    PretrainedEncoder randomEncoder = PretrainedEncoder.from(random, encoder, trained.metadata());

    // ---- frozen representations: kNN, linear probe on all labels and on the labelled subset
    LabelBudget budget = LabelBudget.perClass(labelsPerClass);
    int[] fewIndices = budget.select(trainSet, seed); // the same subset the protocol below draws
    int probeEpochsAll = probeEpochs > 0 ? probeEpochs : autoProbeEpochs(trainSet.size());
    int probeEpochsFew = probeEpochs > 0 ? probeEpochs : autoProbeEpochs(fewIndices.length);
    double[] knn = new double[2];
    double[] probe = new double[2];
    double[] probeFew = new double[2];
    double embedSeconds = 0;
    double knnSeconds = 0;
    double probeSeconds = 0;
    double probeFewSeconds = 0;
    for (int i = 0; i < 2; i++) {
      PretrainedEncoder e = i == 0 ? pretrained : randomEncoder;
      t = System.nanoTime();
      LabelledData bank = trainSet.withFeatures(e.embed(trainSet.features(), EMBED_BATCH));
      LabelledData queries = testSet.withFeatures(e.embed(testSet.features(), EMBED_BATCH));
      embedSeconds += seconds(t);
      t = System.nanoTime();
      knn[i] = KnnClassifier.builder().build().fit(bank).accuracy(queries);
      knnSeconds += seconds(t);
      t = System.nanoTime();
      probe[i] =
          LinearProbe.builder().epochs(probeEpochsAll).learningRate(PROBE_LR).l2(PROBE_L2).seed(seed).build()
              .evaluate(bank, queries).testAccuracy();
      probeSeconds += seconds(t);
      t = System.nanoTime();
      probeFew[i] =
          LinearProbe.builder().epochs(probeEpochsFew).learningRate(PROBE_LR).l2(PROBE_L2).seed(seed).build()
              .evaluate(bank.subset(fewIndices), queries).testAccuracy();
      probeFewSeconds += seconds(t);
    }

    // ---- label efficiency: fine-tune encoder + linear head vs the same network from scratch
    double[] fitSeconds = new double[2];
    FewLabelProtocol.Report report =
        FewLabelProtocol.builder(List.of(budget), seed)
            .build()
            .run(trainSet, testSet,
                fineTuner(FineTuneAdapter.builder(pretrained), fitSeconds, 0),
                fineTuner(FineTuneAdapter.builder(random, encoder), fitSeconds, 1));
    FewLabelProtocol.Row few = report.rows().get(0);

    result =
        new Result(
            fm.origin(),
            trainSet.size(),
            testSet.size(),
            epochs,
            batch,
            temperature,
            trained.steps(),
            trained.history().get(0).loss(),
            trained.finalLoss(),
            trained.samplesPerSecond(),
            knn[0],
            knn[1],
            probe[0],
            probe[1],
            labelsPerClass,
            few.subsetSize(),
            probeFew[0],
            probeFew[1],
            ftEpochs,
            few.pretrained().accuracy(),
            few.pretrained().macroF1(),
            few.scratch().accuracy(),
            few.scratch().macroF1(),
            probeEpochsAll,
            probeEpochsFew,
            new Seconds(loadSeconds, pretrainSeconds, embedSeconds, knnSeconds, probeSeconds,
                probeFewSeconds, fitSeconds[0], fitSeconds[1], seconds(start)),
            encoderFile.toString(),
            lossCurve.toString());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("results.json").toFile(), result);
    printSummary(fm.isSample());
    return 0;
  }

  private void printSummary(boolean sample) {
    Result r = result;
    Seconds s = r.seconds();
    System.out.printf(
        "%nSimCLR (W1) on Fashion-MNIST (%d train / %d test images%s)%n"
            + "  pretraining: %d epochs, %d steps of %d images, loss %.4f -> %.4f, %.0f images/s%n"
            + "  representation (128-d)        pretrained   random init%n"
            + "  kNN (k=200, T=0.1)            %8.2f %%   %8.2f %%%n"
            + "  linear probe, all labels      %8.2f %%   %8.2f %%%n"
            + "  linear probe, %4d labels     %8.2f %%   %8.2f %%%n"
            + "  fine-tune, %4d labels        pretrained   from scratch%n"
            + "  encoder + linear head         %8.2f %%   %8.2f %%   (%d epochs)%n"
            + "  macro-F1                      %8.2f %%   %8.2f %%%n"
            + "  seconds: load %.1f, pretrain %.1f, embed %.1f, kNN %.1f, linear probe %.1f + %.1f,"
            + " fine-tune %.1f + scratch %.1f, total %.1f%n"
            + "  encoder saved to %s; results in %s; loss curve %s%n",
        r.trainImages(), r.testImages(), sample ? ", bundled sample" : "",
        r.epochs(), r.steps(), r.batch(), r.firstLoss(), r.finalLoss(), r.imagesPerSecond(),
        100 * r.knnPretrained(), 100 * r.knnRandom(),
        100 * r.probePretrained(), 100 * r.probeRandom(),
        r.fewLabels(), 100 * r.probeFewPretrained(), 100 * r.probeFewRandom(),
        r.fewLabels(),
        100 * r.fineTunePretrained(), 100 * r.fineTuneScratch(), r.ftEpochs(),
        100 * r.fineTunePretrainedMacroF1(), 100 * r.fineTuneScratchMacroF1(),
        s.load(), s.pretrain(), s.embed(), s.knn(), s.probe(), s.probeFew(), s.fineTunePretrained(),
        s.fineTuneScratch(), s.total(),
        r.encoderFile(), out.resolve("results.json"), r.lossCurveFile());
  }

  /** Fine-tunes encoder and a fresh linear head on the subset (W1 peer: Adam 1e-3, batch 60). */
  private ClassifierTrainer fineTuner(FineTuneAdapter.Builder builder, double[] seconds, int slot) {
    FineTuneAdapter adapter =
        builder
            .classification(10)
            .mode(FineTuneMode.FULL)
            .updater(new Adam(FINE_TUNE_LR))
            .epochs(ftEpochs)
            .batchSize(FINE_TUNE_BATCH)
            .seed(seed)
            .build();
    return subset -> {
      long t = System.nanoTime();
      var tuned = adapter.fit(subset);
      seconds[slot] += seconds(t);
      return tuned::predict;
    };
  }

  /** Epochs giving at least {@link #PROBE_MIN_STEPS} steps of the probe's batch, and at least 10. */
  static int autoProbeEpochs(int examples) {
    int stepsPerEpoch = (examples + LinearProbe.DEFAULT_BATCH_SIZE - 1) / LinearProbe.DEFAULT_BATCH_SIZE;
    return Math.max(LinearProbe.DEFAULT_EPOCHS, (PROBE_MIN_STEPS + stepsPerEpoch - 1) / stepsPerEpoch);
  }

  /** Per-step loss and (from 20 steps on) its trailing moving average against the step, as a PNG. */
  static void writeLossCurve(List<LossRecord> history, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int n = history.size();
    double[] step = new double[n];
    double[] loss = new double[n];
    double[] smooth = new double[n];
    int window = Math.max(1, Math.min(50, n / 10)); // 1: too few steps to smooth
    double sum = 0;
    for (int i = 0; i < n; i++) {
      step[i] = history.get(i).step();
      loss[i] = history.get(i).loss();
      sum += loss[i];
      if (i >= window) {
        sum -= loss[i - window];
      }
      smooth[i] = sum / Math.min(i + 1, window);
    }
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("SimCLR (W1) pretraining loss, NT-Xent")
            .xAxisTitle("step")
            .yAxisTitle("loss")
            .build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    chart.getStyler().setMarkerSize(0);
    XYSeries raw = chart.addSeries("loss per step", step, loss);
    raw.setMarker(SeriesMarkers.NONE);
    raw.setLineColor(new java.awt.Color(150, 180, 220));
    if (window > 1) {
      XYSeries avg = chart.addSeries("moving average (" + window + " steps)", step, smooth);
      avg.setMarker(SeriesMarkers.NONE);
      avg.setLineColor(new java.awt.Color(200, 40, 40));
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Option checks that need no data, before anything slow happens. */
  private void validateOptions() {
    require(epochs >= 1, "--epochs", epochs, "an integer >= 1", "e.g. --epochs 3");
    require(batch >= 2, "--batch", batch, "an integer >= 2 (the other images of a batch are the negatives)",
        "e.g. --batch 256");
    require(temperature > 0 && Double.isFinite(temperature), "--temperature", temperature,
        "a finite number > 0", "SimCLR on small images uses 0.5; typical values are 0.1 to 1.0");
    require(lr > 0 && Double.isFinite(lr), "--lr", lr, "a finite number > 0", "e.g. --lr 1e-3");
    require(ftEpochs >= 1, "--ft-epochs", ftEpochs, "an integer >= 1", "e.g. --ft-epochs 50");
    require(labelsPerClass >= 1, "--labels-per-class", labelsPerClass, "an integer >= 1",
        "e.g. --labels-per-class 60 (600 labels)");
    require(probeEpochs == -1 || probeEpochs >= 1, "--probe-epochs", probeEpochs,
        "-1 (automatic) or >= 1", "e.g. --probe-epochs 20");
    require(trainLimit == -1 || trainLimit >= 1, "--train-limit", trainLimit, "-1 (all) or >= 1",
        "e.g. --train-limit 5120");
    require(testLimit == -1 || testLimit >= 1, "--test-limit", testLimit, "-1 (all) or >= 1",
        "e.g. --test-limit 2000");
  }

  /** Option checks against the loaded training set, before pretraining starts. */
  private void validateAgainstData(LabelledData train) {
    require(batch <= train.size(), "--batch", batch,
        "at most the number of training images (" + train.size() + ")",
        "lower --batch or raise --train-limit");
    int[] counts = new int[train.numClasses()];
    for (int label : train.labels()) {
      counts[label]++;
    }
    int min = java.util.Arrays.stream(counts).min().orElse(0);
    require(labelsPerClass <= min, "--labels-per-class", labelsPerClass,
        "at most " + min + " (the smallest class among the " + train.size() + " training images)",
        "lower --labels-per-class or raise --train-limit");
  }

  private void require(boolean ok, String option, Object value, String expected, String fix) {
    if (!ok) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value " + value + " for option " + option + ": expected " + expected + "; " + fix);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

}
