package io.github.ssl4j.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ssl4j} command: {@code pretrain}, {@code embed}, {@code evaluate}, {@code methods}.
 * Exit codes: 0 success, 1 a failure (the message says what and how to fix it), 2 a bad option.
 */
@Command(name = "ssl4j", mixinStandardHelpOptions = true, versionProvider = Ssl4j.Version.class,
    description = "Self-supervised pretraining on your own images: pretrain an encoder without labels,"
        + " export embeddings, evaluate with a few labels.",
    subcommands = {PretrainCommand.class, EmbedCommand.class, EvaluateCommand.class, MethodsCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ssl4j pretrain --method simclr --data photos/ --size 32 --epochs 10 --output runs/simclr",
        "  ssl4j pretrain --method simclr --data photos/ --epochs 20 --output runs/simclr --resume",
        "  ssl4j embed --model runs/simclr --data photos/ --output embeddings.npy",
        "  ssl4j evaluate --model runs/simclr --data labelled/ --labels-per-class 10",
        "",
        "  `ssl4j help <command>` shows a command's options."})
public final class Ssl4j {

  private Ssl4j() {}

  /** Runs the command and exits with its code. */
  public static void main(String... args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the command without exiting, writing to the given streams.
   *
   * @return the exit code: 0 success, 1 failure, 2 bad option
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Ssl4j());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      Throwable t = e;
      if (t instanceof UncheckedIOException u && u.getCause() != null && u.getMessage() == null) {
        t = u.getCause();
      }
      if (t instanceof IllegalArgumentException || t instanceof IllegalStateException
          || t instanceof UncheckedIOException) {
        err.println("ssl4j " + commandLine.getCommandName() + ": error: " + message(t));
        if (Boolean.getBoolean("ssl4j.stacktrace")) {
          t.printStackTrace(err);
        } else {
          err.println("(run with -Dssl4j.stacktrace=true for the stack trace)");
        }
        err.flush();
        return 1;
      }
      throw e;
    });
    return cli.execute(args);
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    if (t instanceof UncheckedIOException && t.getCause() != null) {
      m = t.getCause().getMessage() != null ? t.getCause().getMessage() : m;
    }
    // the cause often holds the precise reason (e.g. the prefetch thread's failure)
    if (t.getCause() != null && t.getCause() != t && t instanceof IllegalStateException
        && t.getCause().getMessage() != null && !m.contains(t.getCause().getMessage())) {
      m = m + "\n  caused by: " + t.getCause().getMessage();
    }
    return m;
  }

  /** The version from the jar's manifest (or "development build"). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ssl4j " + io.github.ssl4j.core.Versions.ssl4j() + " (DL4J " + io.github.ssl4j.core.Versions.dl4j() + ")"};
    }
  }
}
