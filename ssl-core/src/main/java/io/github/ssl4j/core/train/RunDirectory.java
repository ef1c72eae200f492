package io.github.ssl4j.core.train;

import io.github.ssl4j.core.io.AtomicFiles;
import io.github.ssl4j.core.io.DirectoryLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint directory owned by one training call: locked ({@link DirectoryLock}) from the claim
 * until {@link #close}, cleared of temporary files that a killed write left, and checked so that a
 * run never deletes or takes over another run's files unless the user asked for it ({@link
 * TrainingConfig.Builder#overwrite}).
 */
final class RunDirectory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunDirectory.class);

  /** Suffix given to checkpoints that {@link Trainer#resume} found invalid and skipped. */
  static final String INVALID_SUFFIX = ".invalid";
  /** Files a run writes into its directory (the lock file aside). */
  private static final Pattern RUN_FILES = Pattern.compile(
      "checkpoint-\\d+\\.zip(" + Pattern.quote(INVALID_SUFFIX) + ")?|" + Pattern.quote(Checkpoints.RUN_FILE)
          + "|loss-history\\.(csv|json)");

  private final Path dir;
  private final DirectoryLock lock;
  private Checkpoints.RunInfo owner;
  private boolean ownerWritten;

  private RunDirectory(Path dir, DirectoryLock lock) {
    this.dir = dir;
    this.lock = lock;
  }

  /**
   * Locks {@code dir} (created if missing) and removes leftover temporary files.
   *
   * @param who describes the caller to a run refused by the lock
   * @throws IllegalStateException if another run (this or another process) holds the directory
   */
  static RunDirectory lock(Path dir, String who) {
    DirectoryLock lock = DirectoryLock.acquire(dir, who);
    RunDirectory owned = new RunDirectory(dir, lock);
    try {
      List<Path> leftovers = AtomicFiles.removeLeftovers(dir);
      if (!leftovers.isEmpty()) {
        log.info("Removed {} temporary file(s) left in {} by an interrupted write: {}", leftovers.size(),
            dir, leftovers.stream().map(p -> p.getFileName().toString()).toList());
      }
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e instanceof IOException io
          ? new UncheckedIOException("Could not clean up " + dir + ": " + io.getMessage(), io)
          : (RuntimeException) e;
    }
    return owned;
  }

  /**
   * Locks {@code dir} for a new run: refused if it holds files of an earlier run, unless {@code
   * overwrite}, which deletes them (only {@code checkpoint-*.zip}, {@code run.json} and the loss
   * history; other files are left alone).
   *
   * @throws IllegalStateException if the directory is locked by a live run, or holds another run's
   *     files or checkpoints of the same configuration and {@code overwrite} is false
   */
  static RunDirectory claimForFit(Path dir, Checkpoints.RunInfo run, boolean overwrite) {
    RunDirectory owned = lock(dir, run.describe());
    try {
      List<Path> files = owned.runFiles();
      if (!files.isEmpty() && overwrite) {
        log.warn("overwrite(true): deleting {} file(s) of an earlier run in {}: {}", files.size(), dir,
            names(files));
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      } else if (!files.isEmpty()) {
        owned.refuseForFit(run, files);
      }
      owned.owner = run;
      return owned;
    } catch (IOException e) {
      owned.close();
      throw new UncheckedIOException("Could not clear " + dir + " for a new run: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      owned.close();
      throw e;
    }
  }

  private void refuseForFit(Checkpoints.RunInfo run, List<Path> files) throws IOException {
    Checkpoints.RunInfo earlier = Checkpoints.readRun(dir);
    List<Path> checkpoints = Checkpoints.list(dir);
    String howToFix = " Use a new checkpoint directory, or set TrainingConfig.Builder.overwrite(true) to"
        + " delete those files and start afresh";
    if (earlier != null && !earlier.sameOwner(run)) {
      throw new IllegalStateException("Checkpoint directory " + dir + " belongs to another run: "
          + earlier.describe() + ", with " + checkpoints.size() + " checkpoint(s); this run is "
          + run.describe() + "." + howToFix + ", or resume() the run that owns it with its own task"
          + " and config");
    }
    if (!checkpoints.isEmpty()) {
      throw new IllegalStateException("Checkpoint directory " + dir + " already holds checkpoints of this"
          + " configuration (newest " + checkpoints.get(checkpoints.size() - 1).getFileName()
          + "); fit() would mix two runs. Call resume(" + dir + ", ...) to continue it." + howToFix);
    }
    if (earlier == null) {
      throw new IllegalStateException("Checkpoint directory " + dir + " holds files of an earlier run "
          + names(files) + "." + howToFix);
    }
    // only run.json (and loss history) of the same configuration, no checkpoint: nothing to resume
    // from and nothing a new run of this configuration would lose
  }

  /**
   * Checks that the run being resumed may write here: refused if the directory belongs to another
   * run. {@code run.json} is (re)written with the first checkpoint.
   *
   * @throws IllegalStateException if another run owns the directory
   */
  void claimForResume(Checkpoints.RunInfo run) {
    Checkpoints.RunInfo earlier = Checkpoints.readRun(dir);
    if (earlier != null && !earlier.sameOwner(run)) {
      throw new IllegalStateException("Checkpoint directory " + dir + " belongs to another run: "
          + earlier.describe() + "; the resumed run is " + run.describe() + ". Point"
          + " TrainingConfig.checkpointDir at the resumed run's directory or a new one");
    }
    owner = run;
    ownerWritten = earlier != null && earlier.runId().equals(run.runId());
  }

  /** Writes {@code run.json} naming the owner, once, before the run's first checkpoint. */
  void recordOwner() throws IOException {
    if (!ownerWritten) {
      Checkpoints.writeRun(dir, owner);
      ownerWritten = true;
    }
  }

  /** True if {@code file} lies in this directory. */
  boolean holds(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      return parent != null && Files.isSameFile(parent, lock.directory());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Renames a checkpoint that resume found invalid to {@code <name>.invalid}, so that it is neither
   * resumed from again nor counted among the last checkpoints kept (it would otherwise outrank the
   * valid ones written after it).
   */
  void setAside(Path checkpoint) {
    Path target = checkpoint.resolveSibling(checkpoint.getFileName() + INVALID_SUFFIX);
    try {
      Files.move(checkpoint, target, StandardCopyOption.REPLACE_EXISTING);
      log.warn("Renamed the invalid checkpoint {} to {}", checkpoint.getFileName(), target.getFileName());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not rename the invalid checkpoint " + checkpoint + " to "
          + target.getFileName() + ": " + e.getMessage() + "; move it away by hand and resume again", e);
    }
  }

  private List<Path> runFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> RUN_FILES.matcher(p.getFileName().toString()).matches()).sorted().forEach(out::add);
    }
    return out;
  }

  private static List<String> names(List<Path> files) {
    return files.stream().map(p -> p.getFileName().toString()).toList();
  }

  /** Releases the lock. */
  @Override
  public void close() {
    lock.close();
  }
}
