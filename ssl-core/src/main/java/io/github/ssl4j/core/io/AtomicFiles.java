package io.github.ssl4j.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a file so that readers see either the old content or the complete new one: the content
 * goes to a hidden temporary file in the same directory, is forced to disk and then renamed over
 * the target (atomically where the file system supports it).
 */
public final class AtomicFiles {
  /** Names of the temporary files {@link #write(Path, Writer)} creates. */
  private static final Pattern TEMPORARY = Pattern.compile("\\..+-\\d+\\.tmp");

  private AtomicFiles() {}

  /** Writes the content of a file. */
  @FunctionalInterface
  public interface Writer {
    /**
     * Writes the whole content to {@code out}; the stream is closed by the caller.
     *
     * @throws IOException if writing fails; the target is then left unchanged
     */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Replaces {@code target} with what {@code writer} writes. The parent directory is created if
   * missing. On failure the target is unchanged and the temporary file is removed.
   *
   * @param target the file to create or replace
   * @param writer produces the content
   * @throws IOException if the directory, the temporary file or the rename fails
   */
  public static void write(Path target, Writer writer) throws IOException {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(writer, "writer");
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + absolute.getFileName() + "-", ".tmp"); // see TEMPORARY
    try {
      try (OutputStream os = Files.newOutputStream(tmp)) {
        writer.writeTo(os);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes the temporary files that writes into {@code dir} left behind when their process was
   * killed before the rename ({@code .<name>-<digits>.tmp}). Call it only while no other writer uses
   * {@code dir}, e.g. while holding its {@link DirectoryLock}.
   *
   * @return the deleted files, empty if none (or if {@code dir} does not exist)
   * @throws IOException if the directory cannot be listed or a file cannot be deleted
   */
  public static List<Path> removeLeftovers(Path dir) throws IOException {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> removed = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (TEMPORARY.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f)) {
          Files.deleteIfExists(f);
          removed.add(f);
        }
      }
    }
    return removed;
  }

  /**
   * Replaces {@code target} with {@code bytes}, as {@link #write(Path, Writer)}.
   *
   * @throws IOException if writing fails
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    Objects.requireNonNull(bytes, "bytes");
    write(target, out -> out.write(bytes));
  }
}
