package io.github.ssl4j.examples;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import io.github.ssl4j.core.eval.LabelledData;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What every example's entry points share: run from code, announce the data. */
final class ExampleSupport {
  private ExampleSupport() {}

  /**
   * Executes a picocli command and returns what it measured.
   *
   * @param app the command
   * @param result reads the command's result after it ran (null if it did not finish)
   * @param args command-line arguments
   * @throws IllegalStateException if the command failed
   */
  static <R> R run(Callable<Integer> app, Supplier<R> result, String... args) {
    int code = new CommandLine(app).execute(args);
    R r = result.get();
    if (code != 0 || r == null) {
      throw new IllegalStateException("example failed (exit code " + code + "); see the log above");
    }
    return r;
  }

  /** Says on stdout, not only in the log, where the data came from: a sample must not pass unseen. */
  static void announce(FashionMnist fm) {
    System.out.println(
        fm.isSample()
            ? "Fashion-MNIST not found at " + FashionMnist.DEBIAN_DIR + ": using the " + fm.origin()
            : "Fashion-MNIST from " + fm.origin());
  }

  /**
   * Rejects a bad option value with picocli's usage error: what was wrong, the value, what was
   * expected and how to fix it.
   */
  static void require(CommandSpec spec, boolean ok, String option, Object value, String expected, String fix) {
    if (!ok) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value " + value + " for option " + option + ": expected " + expected + "; " + fix);
    }
  }

  /** {@code --labels-per-class} must fit the smallest class of the loaded training set. */
  static void requireLabelsPerClass(CommandSpec spec, int labelsPerClass, LabelledData train) {
    int[] counts = new int[train.numClasses()];
    for (int label : train.labels()) {
      counts[label]++;
    }
    int min = Arrays.stream(counts).min().orElse(0);
    require(spec, labelsPerClass <= min, "--labels-per-class", labelsPerClass,
        "at most " + min + " (the smallest class among the " + train.size() + " training images)",
        "lower --labels-per-class or raise --train-limit");
  }
}
