package io.github.ssl4j.cli;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.eval.Classifier;
import io.github.ssl4j.core.eval.ClassifierTrainer;
import io.github.ssl4j.core.eval.FewLabelProtocol;
import io.github.ssl4j.core.eval.KnnClassifier;
import io.github.ssl4j.core.eval.LabelBudget;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.eval.LinearProbe;
import io.github.ssl4j.core.eval.StratifiedSampler;
import io.github.ssl4j.core.finetune.FineTuneAdapter;
import io.github.ssl4j.core.finetune.FineTuneMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ssl4j evaluate}: kNN and linear probe on the frozen representation, then fine-tuning with
 * a few labels per class against the same network trained from scratch.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Evaluate a pretrained encoder with labelled images (one sub-folder per class):",
        "  kNN (k=200, T=0.1) and a linear probe (L-BFGS) on the frozen representation, all training labels;",
        "  fine-tune encoder + linear head with --labels-per-class labels per class, against the same",
        "  network from a random initialisation (mean over --repeats label subsets).",
        "The test set is --test, or a stratified --test-fraction of --data. The labelled images are held in memory."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ssl4j evaluate --model runs/simclr --data labelled/",
        "  ssl4j evaluate --model runs/simclr --data train/ --test test/ --labels-per-class 25 --repeats 3"})
final class EvaluateCommand implements Callable<Integer> {
  /** Images per forward pass and per read. */
  private static final int BATCH = 256;
  /** Fine-tuning minibatch. */
  private static final int FINE_TUNE_BATCH = 32;

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Output folder of `ssl4j pretrain`.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Labelled images: DIR/<class>/... .")
  Path data;

  @Option(names = "--test", paramLabel = "DIR", description = "Labelled test images, same classes (default: a part of --data).")
  Path test;

  @Option(names = "--test-fraction", defaultValue = "0.2", description = "Share of each class of --data held out for testing when --test is not given (default ${DEFAULT-VALUE}).")
  double testFraction;

  @Option(names = "--labels-per-class", defaultValue = "10", description = "Labelled training images per class for fine-tuning (default ${DEFAULT-VALUE}).")
  int labelsPerClass;

  @Option(names = "--fine-tune-epochs", defaultValue = "20", description = "Epochs of fine-tuning and of training from scratch; 0 skips both (default ${DEFAULT-VALUE}).")
  int fineTuneEpochs;

  @Option(names = "--repeats", defaultValue = "1", description = "Label subsets (and seeds) of the few-label runs (default ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the split, subsets, probe and fine-tuning (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--decode-threads", defaultValue = "4", description = "Threads decoding images (default ${DEFAULT-VALUE}).")
  int decodeThreads;

  private void require(boolean ok, String option, Object value, String expected) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '" + option + "': " + value + " (expected " + expected + ")");
    }
  }

  @Override
  public Integer call() {
    require(testFraction > 0 && testFraction < 1, "--test-fraction", testFraction, "a number in (0, 1)");
    require(labelsPerClass >= 1, "--labels-per-class", labelsPerClass, "an integer >= 1");
    require(fineTuneEpochs >= 0, "--fine-tune-epochs", fineTuneEpochs, "an integer >= 0");
    require(repeats >= 1, "--repeats", repeats, "an integer >= 1");
    PrintWriter out = spec.commandLine().getOut();
    ModelDirectory dir = ModelDirectory.read(model);
    PretrainingMethod method = Methods.get(dir.method());
    PretrainedEncoder encoder = PretrainedEncoder.load(dir.encoder());
    Encoder architecture = method.encoder(dir.preset(), dir.shape());

    Labelled loaded = load(data, dir, method);
    LabelledData all = loaded.data();
    List<String> classes = loaded.classes();
    LabelledData train;
    LabelledData testSet;
    if (test != null) {
      train = all;
      Labelled other = load(test, dir, method);
      testSet = other.data();
      if (!other.classes().equals(classes)) {
        throw new IllegalArgumentException("The classes of --test " + other.classes() + " differ from those of --data "
            + classes + "; both folders need the same class sub-folders");
      }
    } else {
      int[] trainIdx = StratifiedSampler.fraction(all, 1 - testFraction, seed);
      boolean[] inTrain = new boolean[all.size()];
      for (int i : trainIdx) {
        inTrain[i] = true;
      }
      int[] testIdx = IntStream.range(0, all.size()).filter(i -> !inTrain[i]).toArray();
      if (testIdx.length == 0) {
        throw new IllegalArgumentException("--test-fraction " + testFraction + " of " + all.size()
            + " images leaves no test image; use more images or a larger --test-fraction");
      }
      train = all.subset(trainIdx);
      testSet = all.subset(testIdx);
    }
    out.printf(Locale.ROOT, "Evaluating %s (%s, %d-d) on %d training / %d test images, %d classes %s%n",
        dir.encoder(), dir.method(), encoder.representationSize(), train.size(), testSet.size(),
        classes.size(), classes);

    LabelledData trainFeatures = train.withFeatures(encoder.embed(train.features(), BATCH));
    LabelledData testFeatures = testSet.withFeatures(encoder.embed(testSet.features(), BATCH));
    KnnClassifier.Model knn = KnnClassifier.builder().build().fit(trainFeatures);
    out.printf(Locale.ROOT, "  kNN (k=%d, T=%.1f), all %d labels        accuracy %6.2f %%%n", knn.effectiveK(),
        KnnClassifier.DEFAULT_TEMPERATURE, train.size(), 100 * knn.accuracy(testFeatures));
    LinearProbe probe = LinearProbe.builder().lbfgs(300).l2(2e-4).seed(seed).build();
    out.printf(Locale.ROOT, "  linear probe, all %d labels          accuracy %6.2f %%%n", train.size(),
        100 * probe.evaluate(trainFeatures, testFeatures).testAccuracy());
    out.flush();

    if (fineTuneEpochs > 0) {
      FewLabelProtocol protocol = FewLabelProtocol.builder(List.of(LabelBudget.perClass(labelsPerClass)), seed)
          .repeats(repeats).build();
      int numClasses = train.numClasses();
      ClassifierTrainer pretrained = fineTuner(FineTuneAdapter.builder(encoder), numClasses);
      ClassifierTrainer scratch = new ClassifierTrainer() {
        @Override
        public Classifier train(LabelledData subset) {
          return train(subset, seed);
        }

        @Override
        public Classifier train(LabelledData subset, long s) {
          return fineTuner(FineTuneAdapter.builder(encoder.freshCopy(s), architecture), numClasses).train(subset, s);
        }
      };
      FewLabelProtocol.Row row = protocol.run(train, testSet, pretrained, scratch).rows().get(0);
      out.printf(Locale.ROOT, "  fine-tune, %d labels per class (%d epochs, mean of %d):%n", labelsPerClass,
          fineTuneEpochs, repeats);
      out.printf(Locale.ROOT, "    pretrained encoder                 accuracy %6.2f %%  macro-F1 %6.2f %%%n",
          100 * row.pretrained().accuracy(), 100 * row.pretrained().macroF1());
      out.printf(Locale.ROOT, "    same network from scratch          accuracy %6.2f %%  macro-F1 %6.2f %%%n",
          100 * row.scratch().accuracy(), 100 * row.scratch().macroF1());
    }
    out.flush();
    return 0;
  }

  private FineTuneAdapter fineTuner(FineTuneAdapter.Builder b, int numClasses) {
    return b.classification(numClasses).mode(FineTuneMode.FULL).updater(new Adam(1e-3))
        .epochs(fineTuneEpochs).batchSize(FINE_TUNE_BATCH).seed(seed).build();
  }

  /** Labelled images and their class names. */
  private record Labelled(LabelledData data, List<String> classes) {}

  /** All images of a labelled folder in memory, as the encoder's input, with their labels. */
  private Labelled load(Path folder, ModelDirectory dir, PretrainingMethod method) {
    try (ImageData images = ImageData.open(folder, dir.shape(), true, false, decodeThreads,
        spec.commandLine().getErr())) {
      ExampleSource input = images.mapped(method::encoderInput);
      long n = input.size();
      INDArray x = null;
      for (long from = 0; from < n; from += BATCH) {
        long[] idx = java.util.stream.LongStream.range(from, Math.min(n, from + BATCH)).toArray();
        INDArray batch = input.get(idx);
        if (x == null) {
          long[] shape = batch.shape().clone();
          shape[0] = n;
          x = Nd4j.create(batch.dataType(), shape);
        }
        x.get(NDArrayIndex.interval(from, from + idx.length)).assign(batch);
      }
      int[] labels = images.labels().orElseThrow();
      return new Labelled(new LabelledData(x, Arrays.copyOf(labels, labels.length), images.classes().size()),
          images.classes());
    }
  }
}
