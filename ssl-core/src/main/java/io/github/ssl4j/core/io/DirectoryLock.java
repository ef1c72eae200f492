package io.github.ssl4j.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An exclusive, process-wide claim on a directory: an OS file lock ({@link FileChannel#tryLock()})
 * on the file {@value #FILE_NAME} in it, plus a registry for the threads of this JVM. The operating
 * system releases the lock when the holding process ends in any way, {@code kill -9} included, so a
 * lock is never stale; the file itself stays (deleting it would let two processes lock two
 * different files of the same name) and records who held the lock last.
 *
 * <pre>{@code
 * try (DirectoryLock lock = DirectoryLock.acquire(dir, "run 42")) {
 *   ... write into dir ...
 * }
 * }</pre>
 */
public final class DirectoryLock implements AutoCloseable {
  /** Name of the lock file inside the locked directory. */
  public static final String FILE_NAME = "run.lock";

  /**
   * Directories locked by this JVM. POSIX locks belong to the process and closing any channel on
   * the file releases them, so the lock file is only ever opened under this monitor and only when no
   * thread of this JVM holds it.
   */
  private static final Map<Path, DirectoryLock> HELD = new HashMap<>();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;
  private final String holder;

  private DirectoryLock(Path dir, FileChannel channel, FileLock lock, String holder) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
    this.holder = holder;
  }

  /**
   * Locks {@code dir} (created if missing) for this process until {@link #close}.
   *
   * @param dir the directory to own
   * @param holder who takes the lock, recorded in the lock file and shown to anyone refused (e.g.
   *     {@code "run 1b2c..., task 'simclr'"})
   * @throws IllegalStateException if another process or another thread of this JVM holds the lock;
   *     the message names the directory and the holder
   * @throws UncheckedIOException if the directory or the lock file cannot be created or locked
   */
  public static DirectoryLock acquire(Path dir, String holder) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(holder, "holder");
    Path real;
    try {
      Files.createDirectories(dir);
      real = dir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create the run directory " + dir.toAbsolutePath()
          + ": " + e.getMessage() + "; check the path and its permissions", e);
    }
    Path file = real.resolve(FILE_NAME);
    synchronized (HELD) {
      DirectoryLock mine = HELD.get(real);
      if (mine != null) {
        throw inUse(real, mine.holder + " in this JVM");
      }
      FileChannel channel = null;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.READ);
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null; // held through a channel this class did not open; treat as taken
        }
        if (lock == null) {
          String other = new String(readAll(channel), StandardCharsets.UTF_8).strip();
          channel.close();
          throw inUse(real, other.isEmpty() ? "another process" : other);
        }
        String record = holder + ", process " + ProcessHandle.current().pid() + ", since " + Instant.now();
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((record + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        DirectoryLock acquired = new DirectoryLock(real, channel, lock, record);
        HELD.put(real, acquired);
        return acquired;
      } catch (IOException e) {
        closeQuietly(channel);
        throw new UncheckedIOException("Could not lock " + file + ": " + e.getMessage()
            + "; the run directory must be on a local file system that supports file locks", e);
      }
    }
  }

  /** The locked directory (its real path). */
  public Path directory() {
    return dir;
  }

  /** Releases the lock; the lock file stays. Idempotent. */
  @Override
  public void close() {
    synchronized (HELD) {
      if (HELD.get(dir) != this) {
        return;
      }
      HELD.remove(dir);
      try {
        lock.release();
      } catch (IOException ignored) {
        // closing the channel below releases it too
      } finally {
        closeQuietly(channel);
      }
    }
  }

  private static IllegalStateException inUse(Path dir, String holder) {
    return new IllegalStateException("Directory " + dir + " is in use by another run (" + holder
        + "); two runs cannot share a checkpoint directory. Wait for that run to end, or use another"
        + " directory");
  }

  private static byte[] readAll(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
    channel.read(buf, 0);
    return java.util.Arrays.copyOf(buf.array(), buf.position());
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }
}
