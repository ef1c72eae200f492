package io.github.ssl4j.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;

/** What every example's entry points share: run from code, announce the data, start afresh. */
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

  /** Each run of an example starts afresh: earlier checkpoints in {@code dir} are removed. */
  static void clearOldRun(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not clear " + dir, e);
    }
  }
}
