package io.github.ssl4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.dl4j.ChildJvm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} at random moments: a child JVM trains a tiny MLP with a checkpoint after every
 * step (so writes are frequent), is killed with {@link Process#destroyForcibly()} 22 times — during
 * restore, graph building, training steps and checkpoint writes — and resumed each time; the run then ends
 * bit-identical (parameters, updater state, loss history) to an uninterrupted run in another child,
 * with no temporary file left behind.
 */
class KillAndResumeTest {
  private static final int KILLS = 22;
  private static final long STEPS = 150;
  /** Cheap child start-up: the model is tiny. */
  private static final List<String> JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  @TempDir Path tmp;

  @Test
  void killedTwentyTwoTimesAndResumedEndsBitIdenticalToAnUninterruptedRun() throws Exception {
    String classPath = ChildJvm.testClassPath();
    Path reference = tmp.resolve("reference");
    Path killed = tmp.resolve("killed");
    // the uninterrupted run trains alongside the killed ones; only wall time is shared
    Process uninterrupted = ChildJvm.start(classPath, JVM, tmp.resolve("reference.log"),
        KillAndResumeChild.class, reference.toString(), Long.toString(STEPS));
    Random random = new Random(23);
    List<String> trace = new ArrayList<>();
    int killsLeavingATemporaryFile = 0;
    for (int i = 0; i < KILLS; i++) {
      Path log = tmp.resolve("cycle-" + i + ".log");
      Process child = ChildJvm.start(classPath, JVM, log, KillAndResumeChild.class, killed.toString(),
          Long.toString(STEPS));
      List<String> before = temporaryFiles(killed);
      try {
        ChildJvm.awaitLine(child, log, "READY", 120);
        awaitKillMoment(i % 3, random, child, log, killed, before);
      } finally {
        child.destroyForcibly();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "killed child did not exit");
      }
      assertNotEquals(0, child.exitValue(), "the child finished before it was killed; raise STEPS");
      List<String> temporary = temporaryFiles(killed);
      if (!before.containsAll(temporary)) { // this child died inside a write
        killsLeavingATemporaryFile++;
      }
      trace.add("kill " + i + ": newest " + newest(killed) + ", temporary " + temporary);
    }
    Path lastLog = tmp.resolve("last.log");
    Process last = ChildJvm.start(classPath, JVM, lastLog, KillAndResumeChild.class, killed.toString(),
        Long.toString(STEPS));
    assertTrue(last.waitFor(180, TimeUnit.SECONDS), "the final resume did not finish");
    assertEquals(0, last.exitValue(), Files.readString(lastLog));
    assertTrue(Files.readString(lastLog).contains("RESULT done " + STEPS), Files.readString(lastLog));
    assertTrue(uninterrupted.waitFor(180, TimeUnit.SECONDS), "the uninterrupted run did not finish");
    assertEquals(0, uninterrupted.exitValue(), Files.readString(tmp.resolve("reference.log")));

    String context = String.join("\n", trace);
    System.out.println(KILLS + " kills, " + killsLeavingATemporaryFile + " of them during a write:\n" + context);
    assertTrue(killsLeavingATemporaryFile > 0, "no kill landed during a checkpoint write:\n" + context);
    assertEquals(List.of(), temporaryFiles(killed), "temporary files left behind");
    Checkpoints.Loaded expected = Checkpoints.read(Checkpoints.fileFor(reference, STEPS));
    Checkpoints.Loaded actual = Checkpoints.read(Checkpoints.fileFor(killed, STEPS));
    Map<String, byte[]> expectedModel = entries(expected.model());
    Map<String, byte[]> actualModel = entries(actual.model());
    assertTrue(expectedModel.keySet().containsAll(List.of("coefficients.bin", "updaterState.bin")),
        expectedModel.keySet().toString());
    assertEquals(expectedModel.keySet(), actualModel.keySet());
    for (String entry : expectedModel.keySet()) { // coefficients, updater state, configuration
      assertArrayEquals(expectedModel.get(entry), actualModel.get(entry), entry + " differs\n" + context);
    }
    assertEquals(withoutTimes(expected), withoutTimes(actual), "loss history differs\n" + context);
    assertEquals(STEPS, withoutTimes(actual).size());
  }

  /**
   * Returns at the moment to kill the child. Kind 0: a random moment up to 0.9 s after it is ready
   * (restore, graph building, first steps). Kind 1: a random moment in the step after its second
   * step (warm: mostly the checkpoint write). Kind 2: as soon as a new temporary file appears, i.e.
   * inside a checkpoint or history write. Each child runs at most a few steps, so the run never ends
   * before the last kill.
   */
  private static void awaitKillMoment(int kind, Random random, Process child, Path log, Path dir,
      List<String> temporaryBefore) throws IOException, InterruptedException {
    long start = System.nanoTime();
    long delay = TimeUnit.MILLISECONDS.toNanos(random.nextInt(900));
    int maxSteps = kind == 1 ? 2 : kind == 2 ? 5 : 1 + random.nextInt(4);
    long afterStep = kind == 2 ? 0 : TimeUnit.MILLISECONDS.toNanos(random.nextInt(kind == 1 ? 40 : 10));
    long stepSeenAt = -1;
    while (child.isAlive()) {
      long now = System.nanoTime();
      assertTrue(now - start < TimeUnit.SECONDS.toNanos(120), "child made no progress: " + Files.readString(log));
      if (kind == 2) {
        List<String> temporary = new ArrayList<>(temporaryFiles(dir));
        temporary.removeAll(temporaryBefore);
        if (!temporary.isEmpty()) {
          return;
        }
      } else if (kind == 0 && now - start >= delay) {
        return;
      }
      if (stepSeenAt < 0 && steps(log) >= maxSteps) {
        stepSeenAt = now;
      }
      if (stepSeenAt >= 0 && now - stepSeenAt >= afterStep) {
        return;
      }
      Thread.sleep(0, 200_000);
    }
  }

  private static long steps(Path log) throws IOException {
    return Files.readString(log).lines().filter(l -> l.startsWith("STEP")).count();
  }

  private static List<String> withoutTimes(Checkpoints.Loaded checkpoint) {
    return Checkpoints.history(checkpoint.state()).stream()
        .map(r -> r.step() + " " + r.epoch() + " " + Double.doubleToRawLongBits(r.loss()) + " "
            + Double.doubleToRawLongBits(r.learningRate()))
        .toList();
  }

  private static Map<String, byte[]> entries(byte[] zip) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  private static List<String> temporaryFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).sorted().toList();
    }
  }

  private static String newest(Path dir) throws IOException {
    List<Path> all = Checkpoints.list(dir);
    return all.isEmpty() ? "none" : all.get(all.size() - 1).getFileName().toString();
  }
}
