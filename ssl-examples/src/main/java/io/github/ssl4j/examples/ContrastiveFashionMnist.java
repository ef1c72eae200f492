package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  @Option(names = "--temperature", defaultValue = "0.5", description = "NT-Xent temperature (default ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--out", defaultValue = "target/examples/contrastive-fashion-mnist", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Mixin PretrainOptions o = new PretrainOptions();

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
      EncoderEvaluation.FewLabelDetail fewLabel,
      int probeIterations,
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
    System.exit(new CommandLine(new ContrastiveFashionMnist()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    validateOptions();
    long start = System.nanoTime();
    FashionMnist fm = FashionMnist.load(o.data, o.trainLimit, o.testLimit);
    ExampleSupport.announce(fm);
    LabelledData trainSet = fm.train(); // images [n, 1, 28, 28] in [0, 1], as ConvEncoder.w1 takes
    LabelledData testSet = fm.test();
    o.validateAgainst(spec, trainSet);
    LOG.info("{} training and {} test images", trainSet.size(), testSet.size());
    double loadSeconds = EncoderEvaluation.seconds(start);

    // ---- pretraining (W1: ConvEncoder.w1, T = 0.5, W1 head and augmentations, Adam)
    ConvEncoder encoder = ConvEncoder.small(28, 28, 1);
    ContrastiveTask task = ContrastiveTask.builder()
        .temperature(temperature)
        .views(MultiViewTransform.simclr())
        .build();
    long t = System.nanoTime();
    TrainingResult trained = o.pretrain(task, encoder, trainSet.features(), out);
    double pretrainSeconds = EncoderEvaluation.seconds(t);
    trained.writeHistory(out);
    Path lossCurve = out.resolve("loss-curve.png");
    EncoderEvaluation.writeLossCurve(trained.history(), "SimCLR (W1) pretraining loss, NT-Xent", lossCurve);

    PretrainedEncoder pretrained = PretrainedEncoder.from(trained.graph(), encoder, trained.metadata());
    Path encoderFile = out.resolve("encoder.zip");
    pretrained.save(encoderFile);

    // ---- frozen representation (kNN, probes) and label efficiency, next to a random-init encoder
    EncoderEvaluation.Outcome ev =
        EncoderEvaluation.run(pretrained, encoder, trainSet, testSet,
            o.evaluation());

    result =
        new Result(
            fm.origin(),
            trainSet.size(),
            testSet.size(),
            o.epochs,
            o.batch,
            temperature,
            trained.steps(),
            trained.history().get(0).loss(),
            trained.finalLoss(),
            trained.samplesPerSecond(),
            ev.knnPretrained(),
            ev.knnRandom(),
            ev.probePretrained(),
            ev.probeRandom(),
            o.labelsPerClass,
            ev.fewLabels(),
            ev.probeFewPretrained(),
            ev.probeFewRandom(),
            o.ftEpochs,
            ev.fineTunePretrained(),
            ev.fineTunePretrainedMacroF1(),
            ev.fineTuneScratch(),
            ev.fineTuneScratchMacroF1(), ev.fewLabel(),
            ev.probeIterations(),
            new Seconds(loadSeconds, pretrainSeconds, ev.embedSeconds(), ev.knnSeconds(), ev.probeSeconds(),
                ev.probeFewSeconds(), ev.fineTuneSeconds(), ev.scratchSeconds(), EncoderEvaluation.seconds(start)),
            encoderFile.toString(),
            lossCurve.toString());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("results.json").toFile(), result);
    printSummary(fm.isSample(), ev);
    return 0;
  }

  private void printSummary(boolean sample, EncoderEvaluation.Outcome ev) {
    Result r = result;
    Seconds s = r.seconds();
    System.out.printf(
        "%nSimCLR (W1) on Fashion-MNIST (%d train / %d test images%s)%n"
            + "  pretraining: %d epochs, %d steps of %d images, loss %.4f -> %.4f, %.0f images/s%n"
            + "  representation (128-d)        pretrained   random init%n"
            + "  kNN (k=200, T=0.1)            %8.2f %%   %8.2f %%%n"
            + "  linear probe, all labels      %8.2f %%   %8.2f %%%n"
            + "  linear probe, %4d labels     %8.2f %%   %8.2f %%%n"
            + "%s"
            + "  seconds: load %.1f, pretrain %.1f, embed %.1f, kNN %.1f, linear probe %.1f + %.1f,"
            + " fine-tune %.1f + scratch %.1f, total %.1f%n"
            + "  encoder saved to %s; results in %s; loss curve %s%n",
        r.trainImages(), r.testImages(), sample ? ", bundled sample" : "",
        r.epochs(), r.steps(), r.batch(), r.firstLoss(), r.finalLoss(), r.imagesPerSecond(),
        100 * r.knnPretrained(), 100 * r.knnRandom(),
        100 * r.probePretrained(), 100 * r.probeRandom(),
        r.fewLabels(), 100 * r.probeFewPretrained(), 100 * r.probeFewRandom(),
        EncoderEvaluation.fewLabelLines(ev, o.evaluation()),
        s.load(), s.pretrain(), s.embed(), s.knn(), s.probe(), s.probeFew(), s.fineTunePretrained(),
        s.fineTuneScratch(), s.total(),
        r.encoderFile(), out.resolve("results.json"), r.lossCurveFile());
  }

  /** Option checks that need no data, before anything slow happens. */
  private void validateOptions() {
    o.validate(spec);
    ExampleSupport.require(spec, o.batch >= 2, "--batch", o.batch,
        "an integer >= 2 (the other images of a batch are the negatives)", "e.g. --batch 256");
    ExampleSupport.require(spec, temperature > 0 && Double.isFinite(temperature), "--temperature", temperature,
        "a finite number > 0", "SimCLR on small images uses 0.5; typical values are 0.1 to 1.0");
  }

}
