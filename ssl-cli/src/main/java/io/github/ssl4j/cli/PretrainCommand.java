package io.github.ssl4j.cli;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ssl4j pretrain}: trains an encoder on unlabelled images and saves it. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Pretrain an encoder on unlabelled images with a self-supervised method.",
        "Writes OUTPUT/encoder.zip (the encoder), OUTPUT/ssl4j-cli.json (method and image shape) and",
        "OUTPUT/checkpoints/ (checkpoints at each epoch end, loss-history.csv); an interrupted run",
        "continues with --resume. Images are decoded from disk in background threads, never loaded whole."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ssl4j pretrain --method simclr --data photos/ --size 32 --epochs 10 --batch 128 --output runs/simclr",
        "  ssl4j pretrain --method masked-image --data scans/ --channels 1 --size 64 --output runs/mim",
        "  ssl4j pretrain --method denoising --data train-images-idx3-ubyte.gz --output runs/dae",
        "  ssl4j pretrain --method simclr --data photos/ --epochs 20 --output runs/simclr --resume"})
final class PretrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--method", required = true, paramLabel = "NAME",
      description = "Pretraining method: simclr (alias contrastive), masked-image, denoising; `ssl4j methods` lists all.")
  String method;

  @Option(names = "--data", required = true, paramLabel = "PATH",
      description = "A folder of JPEG/PNG images (searched recursively), or an IDX image file (e.g. Fashion-MNIST's train-images-idx3-ubyte.gz).")
  Path data;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder for the encoder, settings and checkpoints.")
  Path output;

  @Option(names = "--encoder", paramLabel = "PRESET", description = "Encoder preset of the method (default: the method's first, see `ssl4j methods`).")
  String encoder;

  @Option(names = "--size", paramLabel = "PIXELS", description = "Images are resized (shorter side) and centre-cropped to PIXELS x PIXELS (default 32 for a folder; an IDX file keeps its size).")
  Integer size;

  @Option(names = "--channels", paramLabel = "1|3", description = "1 (grey) or 3 (RGB) (default 3 for a folder; an IDX file is grey).")
  Integer channels;

  @Option(names = "--epochs", defaultValue = "1", description = "Passes over the data (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--max-steps", defaultValue = "0", paramLabel = "STEPS", description = "Stop after this many steps in total, even within an epoch (default: no limit).")
  long maxSteps;

  @Option(names = "--batch", defaultValue = "64", description = "Images per step (default ${DEFAULT-VALUE}); the last incomplete batch of an epoch is dropped.")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation, shuffling and augmentation (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--resume", description = "Continue the interrupted or finished run in OUTPUT (same method, data, size, batch and seed; --epochs may grow).")
  boolean resume;

  @Option(names = "--overwrite", description = "Start again in an OUTPUT that holds an earlier run (its checkpoints are deleted).")
  boolean overwrite;

  @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "STEPS", description = "Also write a checkpoint every STEPS steps (default: at epoch ends only).")
  int checkpointEvery;

  @Option(names = "--skip-unreadable", description = "Skip files that are not readable images (with a warning each and a count at the end) instead of stopping at the first.")
  boolean skipUnreadable;

  @Option(names = "--decode-threads", defaultValue = "4", description = "Threads decoding images (default ${DEFAULT-VALUE}).")
  int decodeThreads;

  @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when a console is attached).")
  Boolean progress;

  private void require(boolean ok, String option, Object value, String expected) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '" + option + "': " + value + " (expected " + expected + ")");
    }
  }

  @Override
  public Integer call() {
    require(epochs >= 1, "--epochs", epochs, "an integer >= 1");
    require(batch >= 2, "--batch", batch, "an integer >= 2");
    require(lr > 0 && Double.isFinite(lr), "--lr", lr, "a number > 0, e.g. 1e-3");
    require(size == null || (size >= 4 && size <= 1024), "--size", size, "4 to 1024 pixels");
    require(channels == null || channels == 1 || channels == 3, "--channels", channels, "1 or 3");
    require(maxSteps >= 0, "--max-steps", maxSteps, "0 (no limit) or a number of steps");
    require(checkpointEvery >= 0, "--checkpoint-every", checkpointEvery, "0 (epoch ends only) or a number of steps");
    require(decodeThreads >= 1 && decodeThreads <= 64, "--decode-threads", decodeThreads, "1 to 64");
    require(!(resume && overwrite), "--overwrite", "with --resume", "only one of --resume and --overwrite");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String name = Methods.canonical(method);
    PretrainingMethod m = Methods.get(name);
    String preset = encoder != null ? encoder : m.encoderPresets().get(0);
    ImageShape requested = size == null && channels == null ? null
        : new ImageShape(channels != null ? channels : 3, size != null ? size : 32, size != null ? size : 32);
    if (resume && Files.isRegularFile(output.resolve(ModelDirectory.SETTINGS))) {
      ModelDirectory before = ModelDirectory.read(output);
      if (!before.method().equals(name) || !before.preset().equals(preset)
          || (requested != null && !requested.equals(before.shape()))) {
        throw new IllegalArgumentException("The run in " + output + " used --method " + before.method()
            + " --encoder " + before.preset() + " on images of " + before.shape() + "; resume it with the same"
            + " settings, or start a new run in another --output");
      }
      requested = Files.isRegularFile(data) ? null : before.shape();
    }
    try (ImageData images = ImageData.open(data, requested, false, skipUnreadable, decodeThreads, err)) {
      ImageShape shape = images.shape();
      PretextTask task = m.task(shape);
      Encoder enc = m.encoder(preset, shape);
      ModelDirectory model = new ModelDirectory(output, name, preset, shape);
      TrainingConfig.Builder config = TrainingConfig.builder(batch).epochs(epochs).seed(seed)
          .updater(new Adam(lr)).checkpointDir(model.checkpoints()).overwrite(overwrite);
      if (maxSteps > 0) {
        config.maxSteps(maxSteps);
      }
      if (checkpointEvery > 0) {
        config.checkpointEverySteps(checkpointEvery);
      }
      if (progress != null) {
        config.progressBar(progress);
      }
      out.printf(Locale.ROOT, "Pretraining %s (%s encoder) on %d images of %s from %s%n", name, preset,
          images.images().size(), shape, data);
      out.flush();
      Trainer trainer = new Trainer(config.build());
      TrainingResult result;
      try {
        result = resume
            ? trainer.resume(model.checkpoints(), task, enc, images.mapped(m::taskInput))
            : trainer.fit(task, enc, images.mapped(m::taskInput));
      } catch (IllegalStateException e) {
        if (!resume && e.getMessage() != null && e.getMessage().contains("checkpoint")) {
          throw new IllegalStateException(e.getMessage() + "\n  With ssl4j: add --resume to continue that run,"
              + " --overwrite to start again, or choose another --output", e);
        }
        throw e;
      }
      model.writeSettings();
      result.pretrainedEncoder().save(model.encoder());
      out.printf(Locale.ROOT, "Done: %d steps (%d epochs), final loss %.5f, %.1f images/s, data wait %.1f %% of step time%n",
          result.steps(), result.epochs(), result.finalLoss(), result.samplesPerSecond(), 100 * result.dataWaitShare());
      if (images.skipped() > 0) {
        out.printf(Locale.ROOT, "Skipped %d unreadable image files (listed above)%n", images.skipped());
      }
      out.printf("Encoder saved to %s%n", model.encoder());
      out.flush();
    }
    return 0;
  }
}
