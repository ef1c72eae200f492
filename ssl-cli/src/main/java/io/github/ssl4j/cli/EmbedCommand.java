package io.github.ssl4j.cli;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.eval.EmbeddingWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ssl4j embed}: the representation of every image, to CSV or NPY. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Embed every image of a folder (or IDX file) with a pretrained encoder, streaming to a file:",
        "  .csv  header id,e0,...,e<d-1>, then one row per image: its path relative to --data (or its",
        "        index for an IDX file) and the d values of its representation;",
        "  .npy  a float32 array [n, d] for numpy.load, plus <name>.ids.txt with one id per row.",
        "Images are prepared as in pretraining (size, channels, method input)."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ssl4j embed --model runs/simclr --data photos/ --output embeddings.csv",
        "  ssl4j embed --model runs/simclr --data photos/ --output embeddings.npy --batch 512"})
final class EmbedCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Output folder of `ssl4j pretrain`.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "PATH", description = "A folder of images or an IDX image file.")
  Path data;

  @Option(names = "--output", required = true, paramLabel = "FILE", description = "The file to write: .csv or .npy.")
  Path output;

  @Option(names = "--batch", defaultValue = "256", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--skip-unreadable", description = "Skip files that are not readable images (a warning each) instead of stopping.")
  boolean skipUnreadable;

  @Option(names = "--decode-threads", defaultValue = "4", description = "Threads decoding images (default ${DEFAULT-VALUE}).")
  int decodeThreads;

  @Override
  public Integer call() {
    String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean csv = name.endsWith(".csv");
    if (!csv && !name.endsWith(".npy")) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--output': " + output
          + " (expected a file name ending in .csv or .npy)");
    }
    if (batch < 1) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--batch': " + batch
          + " (expected an integer >= 1)");
    }
    PrintWriter out = spec.commandLine().getOut();
    ModelDirectory dir = ModelDirectory.read(model);
    PretrainingMethod method = Methods.get(dir.method());
    PretrainedEncoder encoder = PretrainedEncoder.load(dir.encoder());
    ImageShape shape = java.nio.file.Files.isRegularFile(data) ? null : dir.shape();
    try (ImageData images = ImageData.open(data, shape, false, skipUnreadable, decodeThreads, spec.commandLine().getErr())) {
      if (!images.shape().equals(dir.shape())) {
        throw new IllegalArgumentException("The model was pretrained on images of " + dir.shape() + ", " + data
            + " holds images of " + images.shape() + "; embed images of the pretraining shape");
      }
      EmbeddingWriter writer = EmbeddingWriter.of(encoder, batch);
      long n = csv
          ? writer.writeCsv(images.mapped(method::encoderInput), images.ids(), output)
          : writer.writeNpy(images.mapped(method::encoderInput), images.ids(), output);
      out.printf(Locale.ROOT, "Wrote %d embeddings of %d values to %s%s%n", n, encoder.representationSize(), output,
          csv ? "" : " (ids in " + EmbeddingWriter.idsFile(output).getFileName() + ")");
      if (images.skipped() > 0) {
        out.printf(Locale.ROOT, "Skipped %d unreadable image files (listed above; their rows hold the next readable image)%n",
            images.skipped());
      }
      out.flush();
    }
    return 0;
  }
}
