package io.github.ssl4j.cli;

import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.data.IdxReader;
import io.github.ssl4j.core.data.ImageFolderSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The images of a command: an image folder (streamed, {@link ImageFolderSource}) or an IDX image
 * file (in memory), with ids and, for a folder with class sub-folders, labels.
 */
final class ImageData implements AutoCloseable {
  private final ExampleSource images;
  private final LongFunction<String> ids;
  private final ImageShape shape;
  private final int[] labels;
  private final List<String> classes;
  private final ImageFolderSource folder;

  private ImageData(ExampleSource images, LongFunction<String> ids, ImageShape shape, int[] labels,
      List<String> classes, ImageFolderSource folder) {
    this.images = images;
    this.ids = ids;
    this.shape = shape;
    this.labels = labels;
    this.classes = classes;
    this.folder = folder;
  }

  /**
   * Opens a folder or an IDX file.
   *
   * @param shape the image shape wanted, or null to take an IDX file's own (1x28x28) or the
   *     defaults for a folder (3x32x32)
   * @param labelled whether the folder's sub-folders are classes (required for evaluation)
   * @param skipUnreadable SKIP instead of FAIL for unreadable files
   * @param err where skipped files are reported
   */
  static ImageData open(Path data, ImageShape shape, boolean labelled, boolean skipUnreadable, int threads,
      PrintWriter err) {
    if (Files.isRegularFile(data)) {
      if (labelled) {
        throw new IllegalArgumentException(data + " is a file; evaluation needs a folder with one sub-folder"
            + " of images per class");
      }
      INDArray array = IdxReader.readImages(data, -1); // [n, 1, h, w]
      ImageShape own = new ImageShape(1, (int) array.size(2), (int) array.size(3));
      if (shape != null && !shape.equals(own)) {
        throw new IllegalArgumentException("The IDX file " + data + " holds images of " + own
            + " (channels x height x width), but " + shape + " was asked for; drop --size/--channels,"
            + " or write the images out as a folder to resize them");
      }
      return new ImageData(new ArraySource(array), String::valueOf, own, null, List.of(), null);
    }
    ImageShape s = shape != null ? shape : new ImageShape(3, 32, 32);
    ImageFolderSource folder = ImageFolderSource.builder(data)
        .channels(s.channels()).size(s.height(), s.width())
        .classFolders(labelled)
        .threads(threads)
        .onUnreadable(skipUnreadable ? ImageFolderSource.Unreadable.SKIP : ImageFolderSource.Unreadable.FAIL)
        .onSkip(k -> {
          synchronized (err) {
            err.println("warning: skipping unreadable image " + k.file() + ": " + k.reason());
            err.flush();
          }
        })
        .build();
    return new ImageData(folder, folder::id, s, folder.labels().orElse(null), folder.classes(), folder);
  }

  /** The images, [n, channels, height, width]. */
  ExampleSource images() {
    return images;
  }

  /** The images mapped batch by batch (to the task's or the encoder's input). */
  ExampleSource mapped(UnaryOperator<INDArray> toInput) {
    return new ExampleSource() {
      @Override
      public long size() {
        return images.size();
      }

      @Override
      public INDArray get(long[] indices) {
        return toInput.apply(images.get(indices));
      }
    };
  }

  LongFunction<String> ids() {
    return ids;
  }

  ImageShape shape() {
    return shape;
  }

  Optional<int[]> labels() {
    return Optional.ofNullable(labels);
  }

  List<String> classes() {
    return classes;
  }

  /** Files skipped as unreadable so far (0 for an IDX file). */
  int skipped() {
    return folder == null ? 0 : folder.skipped().size();
  }

  @Override
  public void close() {
    if (folder != null) {
      folder.close();
    }
  }
}
