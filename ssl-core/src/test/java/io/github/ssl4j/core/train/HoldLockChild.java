package io.github.ssl4j.core.train;

import io.github.ssl4j.core.io.DirectoryLock;
import java.nio.file.Path;

/**
 * Child JVM of {@link RunDirectoryTest}: takes the lock of directory {@code args[0]} as holder
 * {@code args[1]}, prints "LOCKED" and waits to be killed.
 */
public final class HoldLockChild {
  private HoldLockChild() {}

  public static void main(String[] args) throws Exception {
    DirectoryLock lock = DirectoryLock.acquire(Path.of(args[0]), args[1]);
    System.out.println("LOCKED " + lock.directory());
    System.out.flush();
    Thread.sleep(120_000);
  }
}
