package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.io.DirectoryLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Two example runs on one output directory never delete or take over each other's files. */
class ExampleOutputDirectoryTest {
  @TempDir Path tmp;

  /** Exit code and error output of one example run. */
  private record Outcome(int code, String err) {}

  private static Outcome run(String... args) {
    CommandLine cli = ExampleOptions.command(new DenoisingFashionMnist());
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    return new Outcome(cli.execute(args), err.toString());
  }

  private String data;

  private String[] tiny(Path out, String... more) throws IOException {
    if (data == null) {
      data = SampleData.writeTo(tmp);
    }
    List<String> args = new ArrayList<>(List.of("--data", data, "--epochs", "2",
        "--train-limit", "1000", "--test-limit", "300", "--out", out.toString()));
    args.addAll(Arrays.asList(more));
    return args.toArray(String[]::new);
  }

  /** Every file under {@code dir} and its bytes. */
  private static Map<String, byte[]> contents(Path dir) throws IOException {
    Map<String, byte[]> all = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.put(dir.relativize(f).toString(), Files.readAllBytes(f));
      }
    }
    return all;
  }

  private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, bytes) -> assertTrue(Arrays.equals(bytes, actual.get(name)), name + " changed"));
  }

  @Test
  void aSecondRunOnTheSameOutIsRefusedUnlessOverwriteAndARunningOneAlways() throws Exception {
    Path out = tmp.resolve("run");
    // the first run, and a second started while it trains: refused with or without --overwrite
    CompletableFuture<Outcome> first = CompletableFuture.supplyAsync(() -> {
      try {
        return run(tiny(out, "--seed", "1"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Path marker = out.resolve(ExampleOptions.Training.MARKER);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!Files.exists(marker) && !first.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertFalse(first.isDone(), () -> "the first run ended before the second could start: " + first.join());
    Outcome whileRunning = run(tiny(out, "--seed", "2", "--overwrite"));
    assertEquals(2, whileRunning.code(), whileRunning.err());
    assertTrue(whileRunning.err().contains("is being written by another run")
        && whileRunning.err().contains(out.toAbsolutePath().toString())
        && whileRunning.err().contains("Choose another --out"), whileRunning.err());
    Outcome whileRunningNoOverwrite = run(tiny(out, "--seed", "2"));
    assertEquals(2, whileRunningNoOverwrite.code(), whileRunningNoOverwrite.err());
    assertEquals(0, first.get().code(), first.get().err());
    assertTrue(Files.exists(out.resolve("results.json")));
    assertTrue(Files.exists(out.resolve("encoder.zip")));

    // after it: another run on the same --out is refused and touches nothing
    Map<String, byte[]> firstFiles = contents(out);
    Outcome second = run(tiny(out, "--seed", "2"));
    assertEquals(2, second.code(), second.err());
    assertTrue(second.err().contains("Output directory " + out.toAbsolutePath() + " holds an earlier run")
        && second.err().contains("Choose another --out, or add --overwrite"), second.err());
    assertSameFiles(firstFiles, contents(out));

    // --overwrite: proceeds and replaces the first run
    Outcome replacing = run(tiny(out, "--seed", "2", "--overwrite"));
    assertEquals(0, replacing.code(), replacing.err());
    assertTrue(Files.readString(marker).contains("--seed 2"), Files.readString(marker));
    assertFalse(Arrays.equals(firstFiles.get("results.json"), Files.readAllBytes(out.resolve("results.json"))));
  }

  @Test
  void withoutOutARerunTakesTheNextFreeDirectoryAndAFailedClaimLeavesNoMark() throws Exception {
    DenoisingFashionMnist example = new DenoisingFashionMnist();
    new CommandLine(example).parseArgs("--epochs", "1");
    Path base = tmp.resolve("examples").resolve("denoising");
    example.training.out = base;
    try (DirectoryLock lock = example.training.claimOutput(false)) {
      assertEquals(base, example.training.out);
      Files.writeString(base.resolve("results.json"), "{}");
    }
    Path running = base.resolveSibling("denoising-2");
    try (DirectoryLock other = DirectoryLock.acquire(running, "another run")) {
      example.training.out = base;
      try (DirectoryLock lock = example.training.claimOutput(false)) {
        assertEquals(base.resolveSibling("denoising-3"), example.training.out); // -2 is in use, skipped
      }
    }
    assertEquals("{}", Files.readString(base.resolve("results.json")));

    // a run that fails before writing anything gives its directory back
    Path failed = tmp.resolve("failed");
    Outcome tooLarge = run(tiny(failed, "--batch", "5000")); // refused once the data is loaded
    assertEquals(2, tooLarge.code(), tooLarge.err());
    assertFalse(Files.exists(failed.resolve(ExampleOptions.Training.MARKER)), "marker left by a failed run");
    Outcome again = run(tiny(failed, "--batch", "5000"));
    assertEquals(2, again.code(), again.err());
    assertTrue(again.err().startsWith("Invalid value 5000 for option --batch"), again.err());
  }
}
