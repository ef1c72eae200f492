package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The shared options: each example keeps its own defaults, and every mixin's values are checked first. */
class ExampleOptionsTest {
  @TempDir Path out;

  private static CommandLine parsed(Object example, String... args) {
    CommandLine cli = new CommandLine(example);
    cli.parseArgs(args);
    return cli;
  }

  @Test
  void eachExampleHasItsOwnTrainingDefaults() {
    DenoisingFashionMnist denoising = new DenoisingFashionMnist();
    parsed(denoising);
    assertEquals(10, denoising.training.epochs);
    assertEquals(128, denoising.training.batch);
    assertEquals(42, denoising.training.seed);
    assertEquals(Path.of("target/examples/denoising-fashion-mnist"), denoising.training.out);

    MaskedLanguageSpamAssassin mlm = new MaskedLanguageSpamAssassin();
    parsed(mlm, "--epochs", "2");
    assertEquals(2, mlm.training.epochs);
    assertEquals(64, mlm.training.batch);
    assertEquals(5e-4, mlm.training.lr);
    assertEquals(0, mlm.training.seed);
    assertEquals(20000, mlm.mails.trainWindows);

    NextFrameMovingFashionMnist nextFrame = new NextFrameMovingFashionMnist();
    parsed(nextFrame);
    assertEquals(4, nextFrame.training.epochs);
    assertEquals(16, nextFrame.training.batch);

    StringWriter help = new StringWriter();
    new CommandLine(new ContrastiveFashionMnist()).usage(new PrintWriter(help));
    assertTrue(help.toString().contains("Pretraining epochs (default 3)"), help.toString());
    assertTrue(help.toString().contains("(default 256)"), help.toString());
    assertTrue(help.toString().contains("--labels-per-class"), help.toString());
  }

  @Test
  void aBadSharedOptionIsRejectedBeforeTheExampleRuns() {
    for (String[] bad : new String[][] {{"--epochs", "0"}, {"--lr", "-1"}, {"--train-limit", "0"}}) {
      String[] args = {bad[0], bad[1], "--noise", "0.3", "--out", out.toString()};
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> DenoisingFashionMnist.run(args));
      assertTrue(e.getMessage().contains("exit code 2"), e.getMessage()); // a usage error, not a failure
    }
    assertFalse(Files.exists(out.resolve("checkpoints")));
  }
}
