package io.github.ssl4j.examples;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The command-line options the Fashion-MNIST pretraining examples share (data, pretraining budget,
 * evaluation budget, seed), as a picocli mixin, with their checks.
 */
final class PretrainOptions {

  @Option(names = "--data", description = "Directory with the four Fashion-MNIST *-ubyte.gz files (default: /usr/share/datasets/fashion-mnist if installed, else the bundled sample).")
  Path data;

  @Option(names = "--epochs", defaultValue = "3", description = "Pretraining epochs (default ${DEFAULT-VALUE}, the peer's budget).")
  int epochs;

  @Option(names = "--batch", defaultValue = "256", description = "Images per pretraining step (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate of pretraining (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--ft-epochs", defaultValue = "50", description = "Epochs of the few-label fine-tune and from-scratch runs (default ${DEFAULT-VALUE}).")
  int ftEpochs;

  @Option(names = "--ft-repeats", defaultValue = "3", description = "Repeats of the few-label fine-tune and from-scratch runs, repeat r with seed + r for the labelled subset and the initialisation; the figures are means (default ${DEFAULT-VALUE}).")
  int ftRepeats;

  @Option(names = "--head-warmup-epochs", defaultValue = "" + EncoderEvaluation.HEAD_WARMUP_EPOCHS, description = "Before fine-tuning, fit the new head alone on the frozen representation for this many epochs (LP-FT; 0: fine-tune from a random head). The from-scratch network never gets a warm-up (default ${DEFAULT-VALUE}).")
  int headWarmupEpochs;

  @Option(names = "--labels-per-class", defaultValue = "60", description = "Labelled training images per class for the few-label evaluations (default ${DEFAULT-VALUE}).")
  int labelsPerClass;

  @Option(names = "--probe-iterations", defaultValue = "" + EncoderEvaluation.PROBE_MAX_ITERATIONS, description = "L-BFGS iteration budget of each linear probe (full batch, L2 " + EncoderEvaluation.PROBE_L2 + " as (l2/2)|W|^2, as the PyTorch peer; default ${DEFAULT-VALUE}).")
  int probeIterations;

  @Option(names = "--train-limit", defaultValue = "-1", description = "Use at most this many training images (-1: all).")
  int trainLimit;

  @Option(names = "--test-limit", defaultValue = "-1", description = "Use at most this many test images (-1: all).")
  int testLimit;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for everything: initialisation, batches, masks or augmentation, the labelled subset (default ${DEFAULT-VALUE}).")
  long seed;

  /** Checks that need no data, before anything slow happens. */
  void validate(CommandSpec spec) {
    ExampleSupport.require(spec, epochs >= 1, "--epochs", epochs, "an integer >= 1", "e.g. --epochs 3");
    ExampleSupport.require(spec, batch >= 1, "--batch", batch, "an integer >= 1", "e.g. --batch 256");
    ExampleSupport.require(spec, lr > 0 && Double.isFinite(lr), "--lr", lr, "a finite number > 0", "e.g. --lr 1e-3");
    ExampleSupport.require(spec, ftEpochs >= 1, "--ft-epochs", ftEpochs, "an integer >= 1", "e.g. --ft-epochs 50");
    ExampleSupport.require(spec, ftRepeats >= 1, "--ft-repeats", ftRepeats, "an integer >= 1", "e.g. --ft-repeats 3");
    ExampleSupport.require(spec, headWarmupEpochs >= 0, "--head-warmup-epochs", headWarmupEpochs,
        "an integer >= 0", "e.g. --head-warmup-epochs 100, or 0 for no warm-up");
    ExampleSupport.require(spec, labelsPerClass >= 1, "--labels-per-class", labelsPerClass, "an integer >= 1",
        "e.g. --labels-per-class 60 (600 labels)");
    ExampleSupport.require(spec, probeIterations >= 1, "--probe-iterations", probeIterations,
        "an integer >= 1", "e.g. --probe-iterations 300");
    ExampleSupport.require(spec, trainLimit == -1 || trainLimit >= 1, "--train-limit", trainLimit,
        "-1 (all) or >= 1", "e.g. --train-limit 5120");
    ExampleSupport.require(spec, testLimit == -1 || testLimit >= 1, "--test-limit", testLimit,
        "-1 (all) or >= 1", "e.g. --test-limit 2000");
  }

  /** Checks against the loaded training set, before pretraining starts. */
  void validateAgainst(CommandSpec spec, LabelledData train) {
    ExampleSupport.require(spec, batch <= train.size(), "--batch", batch,
        "at most the number of training images (" + train.size() + ")", "lower --batch or raise --train-limit");
    ExampleSupport.requireLabelsPerClass(spec, labelsPerClass, train);
  }

  /** The evaluation settings these options give. */
  EncoderEvaluation.Settings evaluation() {
    return new EncoderEvaluation.Settings(labelsPerClass, probeIterations, ftEpochs, ftRepeats, headWarmupEpochs, seed);
  }

  /**
   * Pretrains {@code encoder} on {@code features} with these options (Adam at {@code --lr}, a log
   * line every 20 steps), checkpointing into {@code out/checkpoints}, replacing an earlier finished
   * run's checkpoints there ({@code overwrite(true)}), so a new run never resumes an old one by accident.
   */
  TrainingResult pretrain(PretextTask task, Encoder encoder, INDArray features, Path out) throws IOException {
    TrainingConfig config =
        TrainingConfig.builder(batch)
            .epochs(epochs)
            .seed(seed)
            .updater(new Adam(lr))
            .logEverySteps(20)
            .checkpointDir(out.resolve("checkpoints")).overwrite(true)
            .build();
    Files.createDirectories(out);
    return new Trainer(config).fit(task, encoder, new ArraySource(features));
  }
}
