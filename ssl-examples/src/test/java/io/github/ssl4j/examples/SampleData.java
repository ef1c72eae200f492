package io.github.ssl4j.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: the bundled Fashion-MNIST sample as a directory, so {@code --data} is exercised. */
final class SampleData {
  private SampleData() {}

  /**
   * Copies the four bundled sample files into {@code parent/data}.
   *
   * @return the directory, as a string for {@code --data}
   */
  static String writeTo(Path parent) throws IOException {
    Path dir = Files.createDirectories(parent.resolve("data"));
    for (String f :
        new String[] {
          FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS
        }) {
      try (InputStream in =
          FashionMnist.class.getResourceAsStream("/io/github/ssl4j/examples/fashion-mnist-sample/" + f)) {
        Files.copy(in, dir.resolve(f));
      }
    }
    return dir.toString();
  }
}
