package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code main} class in a fresh JVM, for checks that must not share (or could crash) the
 * test JVM's native state: a native crash, ND4J's workspaces, or JavaCPP's once-only library choice.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** What the child printed (stdout and stderr together) and how it exited. */
  public record Output(int exitCode, String text) {
    /** The first line starting with "RESULT", or "RESULT crashed (exit N): output" if none. */
    public String resultLine() {
      return text.lines().filter(l -> l.startsWith("RESULT")).findFirst()
          .orElse("RESULT crashed (exit " + exitCode + "): " + text);
    }
  }

  /** What the child wrote to standard output and standard error, kept apart, and how it exited. */
  record Streams(int exitCode, String stdout, String stderr) {}

  /** The test JVM's own class path. */
  public static String testClassPath() {
    return System.getProperty("java.class.path");
  }

  /**
   * @param classPath class path of the child
   * @param maxHeap e.g. "1g", or null for the JVM default
   * @param timeoutSeconds fails the test if the child runs longer
   */
  public static Output run(String classPath, String maxHeap, int timeoutSeconds, Class<?> main, String... args)
      throws Exception {
    return run(classPath, maxHeap, Set.of(), timeoutSeconds, main, args);
  }

  /**
   * As {@link #run(String, String, int, Class, String...)}, with the named environment variables
   * removed from the child's environment (e.g. {@code GLIBC_TUNABLES}, which the build sets for
   * tests).
   */
  public static Output run(String classPath, String maxHeap, Set<String> unsetEnv, int timeoutSeconds,
      Class<?> main, String... args) throws Exception {
    ProcessBuilder pb = processBuilder(classPath, maxHeap, unsetEnv, main, args);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "child JVM timed out");
    return new Output(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /**
   * As {@link #run(String, String, Set, int, Class, String...)}, with standard output and standard
   * error kept apart.
   */
  static Streams runSeparately(String classPath, String maxHeap, Set<String> unsetEnv,
      int timeoutSeconds, Class<?> main, String... args) throws Exception {
    Path err = Files.createTempFile("child-jvm", ".stderr");
    try {
      ProcessBuilder pb = processBuilder(classPath, maxHeap, unsetEnv, main, args);
      pb.redirectError(err.toFile());
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "child JVM timed out");
      return new Streams(p.exitValue(), new String(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static ProcessBuilder processBuilder(String classPath, String maxHeap, Set<String> unsetEnv,
      Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    if (maxHeap != null) {
      cmd.add("-Xmx" + maxHeap);
    }
    cmd.addAll(List.of("-cp", classPath, main.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeAll(unsetEnv);
    return pb;
  }

  /**
   * Starts {@code main} in a child JVM and returns at once, for tests that interact with a running
   * child (wait for a line it prints, then kill it with {@link Process#destroyForcibly()}).
   *
   * @param jvmOptions e.g. {@code -Xmx256m}
   * @param output file that receives the child's stdout and stderr together (replaced)
   */
  public static Process start(String classPath, List<String> jvmOptions, Path output, Class<?> main,
      String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classPath, main.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
  }

  /**
   * Waits until {@code output} holds a line starting with {@code prefix} and returns that line.
   *
   * @throws AssertionError if the child exits or {@code timeoutSeconds} pass first
   */
  public static String awaitLine(Process child, Path output, String prefix, int timeoutSeconds)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      boolean exited = !child.isAlive();
      String text = Files.readString(output, StandardCharsets.UTF_8);
      var line = text.lines().filter(l -> l.startsWith(prefix)).findFirst();
      if (line.isPresent()) {
        return line.get();
      }
      if (exited) {
        throw new AssertionError("child exited (code " + child.exitValue() + ") before printing '"
            + prefix + "': " + text);
      }
      Thread.sleep(5);
    }
    throw new AssertionError("child printed no '" + prefix + "' within " + timeoutSeconds + " s: "
        + Files.readString(output, StandardCharsets.UTF_8));
  }
}
