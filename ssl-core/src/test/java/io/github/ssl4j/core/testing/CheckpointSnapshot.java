package io.github.ssl4j.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * A DL4J training listener that copies the bytes of one checkpoint file when a given iteration is
 * done, so a test can check later that the file was left unchanged (e.g. the last good checkpoint
 * of a run that diverged afterwards).
 */
public final class CheckpointSnapshot extends BaseTrainingListener {
  private final Path file;
  private final int iteration;
  private volatile byte[] bytes;

  /**
   * @param file the checkpoint to copy
   * @param iteration the DL4J iteration (0-based) after which it is copied; iteration {@code s}
   *     runs inside step {@code s + 1}, after the checkpoint of step {@code s} was written
   */
  public CheckpointSnapshot(Path file, int iteration) {
    this.file = file;
    this.iteration = iteration;
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    if (iteration == this.iteration) {
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** @return the copied bytes, or null if the iteration was not reached */
  public byte[] bytes() {
    return bytes;
  }
}
