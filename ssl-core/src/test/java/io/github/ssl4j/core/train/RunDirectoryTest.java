package io.github.ssl4j.core.train;

import io.github.ssl4j.core.testing.TestData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.dl4j.ChildJvm;
import io.github.ssl4j.core.io.DirectoryLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A run owns its checkpoint directory: two runs on one directory never delete or take over each
 * other's files (one after the other, at the same time in one JVM, or with another process holding
 * it); a lock of a killed process is free again; leftover temporary files are removed; resume
 * falls back to the newest valid checkpoint.
 */
class RunDirectoryTest {
  private static final Encoder ENCODER = new TinyMlpEncoder(8, 16, 6);
  private static final ReconstructTask TASK = new ReconstructTask(0.1);

  @TempDir Path tmp;

  private static ExampleSource data() {
    return new ArraySource(TestData.gaussian(64, 8, 7));
  }

  private static TrainingConfig.Builder base(Path dir, long seed) {
    return TrainingConfig.builder(6).maxSteps(4).seed(seed).dataType(DataType.DOUBLE)
        .updater(new Adam(1e-2)).checkpointDir(dir).checkpointEverySteps(2)
        .progressBar(false).logEverySteps(0);
  }

  @Test
  void aSecondRunNeverDeletesOrTakesOverTheFirstsFilesUnlessAskedToOverwrite() throws IOException {
    Path dir = tmp.resolve("run");
    new Trainer(base(dir, 42).build()).fit(TASK, ENCODER, data());
    Map<String, byte[]> first = contents(dir);
    assertTrue(first.containsKey("checkpoint-4.zip") && first.containsKey("run.json"), first.keySet().toString());

    IllegalStateException other = assertThrows(IllegalStateException.class,
        () -> new Trainer(base(dir, 43).build()).fit(TASK, ENCODER, data()));
    assertTrue(other.getMessage().contains("belongs to another run"), other.getMessage());
    assertTrue(other.getMessage().contains("seed 42") && other.getMessage().contains("seed 43"), other.getMessage());
    assertTrue(other.getMessage().contains("overwrite(true)"), other.getMessage());
    assertSameContents(first, contents(dir));

    // the first run is still resumable and continues where it stopped
    TrainingResult resumed = new Trainer(base(dir, 42).maxSteps(6).build()).resume(dir, TASK, ENCODER, data());
    assertEquals(6, resumed.steps());

    // asked explicitly, a new run replaces the earlier run's files and is itself resumable
    TrainingResult replaced = new Trainer(base(dir, 43).overwrite(true).build()).fit(TASK, ENCODER, data());
    assertEquals(4, replaced.steps());
    assertEquals(List.of("checkpoint-2.zip", "checkpoint-4.zip"), checkpoints(dir));
    assertTrue(Files.readString(dir.resolve("run.json")).contains("\"seed\" : 43"));
    assertEquals(6, new Trainer(base(dir, 43).maxSteps(6).build()).resume(dir, TASK, ENCODER, data()).steps());
  }

  @Test
  void aRunIsRefusedWhileAnotherThreadTrainsInTheDirectoryEvenWithOverwrite() throws Exception {
    Path dir = tmp.resolve("busy");
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    BaseTrainingListener pauseAfterFirstCheckpoint = new BaseTrainingListener() {
      @Override
      public void iterationDone(Model model, int iteration, int epoch) {
        if (iteration == 3) { // inside step 4, after checkpoint-2 was written
          paused.countDown();
          try {
            resume.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    CompletableFuture<TrainingResult> first = CompletableFuture.supplyAsync(
        () -> new Trainer(base(dir, 42).listeners(pauseAfterFirstCheckpoint).build()).fit(TASK, ENCODER, data()));
    try {
      assertTrue(paused.await(60, TimeUnit.SECONDS), "first run did not reach step 4");
      Map<String, byte[]> during = contents(dir);
      for (TrainingConfig second : List.of(base(dir, 43).build(), base(dir, 43).overwrite(true).build(),
          base(dir, 42).build())) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> new Trainer(second).fit(TASK, ENCODER, data()));
        assertTrue(e.getMessage().contains("in use by another run"), e.getMessage());
        assertTrue(e.getMessage().contains("seed 42"), "names the holder: " + e.getMessage());
        IllegalStateException r = assertThrows(IllegalStateException.class,
            () -> new Trainer(second).resume(dir, TASK, ENCODER, data()));
        assertTrue(r.getMessage().contains("in use by another run"), r.getMessage());
      }
      assertSameContents(during, contents(dir));
    } finally {
      resume.countDown();
    }
    assertEquals(4, first.get(60, TimeUnit.SECONDS).steps());
    assertEquals(6, new Trainer(base(dir, 42).maxSteps(6).build()).resume(dir, TASK, ENCODER, data()).steps());
  }

  @Test
  void aLockHeldByAnotherProcessRefusesAndIsFreeAgainAfterKillMinus9() throws Exception {
    Path dir = tmp.resolve("held");
    Path log = tmp.resolve("child.log");
    // the lock needs no ND4J: the child's class path is the project's own classes only
    String classPath = Stream.of(ChildJvm.testClassPath().split(java.io.File.pathSeparator))
        .filter(p -> p.endsWith("classes") || p.endsWith("test-classes"))
        .reduce((a, b) -> a + java.io.File.pathSeparator + b).orElseThrow();
    Process child = ChildJvm.start(classPath, List.of("-Xmx32m", "-XX:TieredStopAtLevel=1"), log,
        HoldLockChild.class, dir.toString(), "holder-in-child");
    try {
      ChildJvm.awaitLine(child, log, "LOCKED", 30);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> DirectoryLock.acquire(dir, "parent"));
      assertTrue(e.getMessage().contains("holder-in-child, process " + child.pid()), e.getMessage());
      IllegalStateException fit = assertThrows(IllegalStateException.class,
          () -> new Trainer(base(dir, 42).overwrite(true).build()).fit(TASK, ENCODER, data()));
      assertTrue(fit.getMessage().contains("in use by another run (holder-in-child"), fit.getMessage());
      assertEquals(List.of(DirectoryLock.FILE_NAME), names(dir), "a refused run writes nothing");
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    // the OS released the killed child's lock: no stale lock to clear by hand
    assertEquals(4, new Trainer(base(dir, 42).build()).fit(TASK, ENCODER, data()).steps());
    try (DirectoryLock again = DirectoryLock.acquire(dir, "parent")) {
      assertEquals(dir.toRealPath(), again.directory());
      assertThrows(IllegalStateException.class, () -> DirectoryLock.acquire(dir, "second in this JVM"));
    }
  }

  @Test
  void leftoverTemporaryFilesAreRemovedWhenARunClaimsTheDirectory() throws IOException {
    Path dir = tmp.resolve("leftovers");
    Files.createDirectories(dir);
    Path killedWrite = Files.write(dir.resolve(".checkpoint-2.zip-123456789.tmp"), new byte[] {1, 2});
    Path notOurs = Files.write(dir.resolve("notes.tmp"), new byte[] {3});
    new Trainer(base(dir, 42).build()).fit(TASK, ENCODER, data());
    assertFalse(Files.exists(killedWrite));
    assertTrue(Files.exists(notOurs), "files the trainer did not write stay");
    Path killedAgain = Files.write(dir.resolve(".run.json-987.tmp"), new byte[] {4});
    new Trainer(base(dir, 42).maxSteps(6).build()).resume(dir, TASK, ENCODER, data());
    assertFalse(Files.exists(killedAgain));
    assertEquals(List.of("checkpoint-2.zip", "checkpoint-4.zip", "checkpoint-6.zip", "loss-history.csv",
        "loss-history.json", "notes.tmp", "run.json", "run.lock"), names(dir));
  }

  @Test
  void resumeFallsBackToTheNewestValidCheckpointAndSetsTheInvalidOnesAside() throws IOException {
    Path dir = tmp.resolve("fallback");
    TrainingConfig six = base(dir, 42).maxSteps(6).build();
    new Trainer(six).fit(TASK, ENCODER, data()); // checkpoints 2, 4, 6
    Path newest = dir.resolve("checkpoint-6.zip");
    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    TrainingResult resumed = new Trainer(base(dir, 42).maxSteps(8).build()).resume(dir, TASK, ENCODER, data());
    assertEquals(8, resumed.steps());
    assertTrue(Files.exists(dir.resolve("checkpoint-6.zip.invalid")), names(dir).toString());
    assertEquals(List.of("checkpoint-4.zip", "checkpoint-6.zip", "checkpoint-8.zip"), checkpoints(dir));
    TrainingResult straight = new Trainer(base(tmp.resolve("straight"), 42).maxSteps(8).build())
        .fit(TASK, ENCODER, data());
    assertEquals(losses(straight), losses(resumed), "resumed from step 4, bit-identical to an uninterrupted run");

    // nothing valid left: a clear error that lists every checkpoint skipped and why
    Path broken = tmp.resolve("broken");
    new Trainer(base(broken, 42).build()).fit(TASK, ENCODER, data());
    for (Path p : Checkpoints.list(broken)) {
      Files.write(p, new byte[] {'P', 'K'});
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(base(broken, 42).maxSteps(6).build()).resume(broken, TASK, ENCODER, data()));
    assertTrue(e.getMessage().contains("No valid checkpoint in " + broken), e.getMessage());
    assertTrue(e.getMessage().contains("checkpoint-4.zip (") && e.getMessage().contains("checkpoint-2.zip ("),
        e.getMessage());
    assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
  }

  private static List<Double> losses(TrainingResult r) {
    return r.history().stream().map(LossRecord::loss).toList();
  }

  private static List<String> checkpoints(Path dir) throws IOException {
    return Checkpoints.list(dir).stream().map(p -> p.getFileName().toString()).toList();
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Every file of the directory but the lock file, by name. */
  private static Map<String, byte[]> contents(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    for (String name : names(dir)) {
      if (!name.equals(DirectoryLock.FILE_NAME)) {
        out.put(name, Files.readAllBytes(dir.resolve(name)));
      }
    }
    return out;
  }

  private static void assertSameContents(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name), actual.get(name), name);
    }
  }
}
