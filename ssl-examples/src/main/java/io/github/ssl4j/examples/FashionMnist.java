package io.github.ssl4j.examples;

import io.github.ssl4j.core.data.IdxReader;
import io.github.ssl4j.core.eval.LabelledData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fashion-MNIST for the examples: the full data set from a directory of the four standard
 * {@code .gz} IDX files, or the 10,000/2,000-image sample shipped in this module (the first images
 * of each split; {@code ssl-examples/scripts/make-fashion-mnist-sample.py} makes it).
 *
 * @param train training images [n, 1, 28, 28] in [0, 1] with labels
 * @param test test images [n, 1, 28, 28] with labels
 * @param origin where the data came from (directory or "bundled sample")
 * @param isSample true when the bundled sample was used
 */
public record FashionMnist(LabelledData train, LabelledData test, String origin, boolean isSample) {
  /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
  private static final String SAMPLE = "/io/github/ssl4j/examples/fashion-mnist-sample/";

  /** How to get the data, for messages. */
  public static final String HOW_TO_GET =
      "install it with 'sudo apt-get install dataset-fashion-mnist' (files go to " + DEBIAN_DIR
          + ") or download the four *-ubyte.gz files of https://github.com/zalandoresearch/fashion-mnist"
          + " into a directory and pass --data DIR";

  /**
   * Loads Fashion-MNIST.
   *
   * @param dir directory given by the user, or null to try {@link #DEBIAN_DIR} and fall back to
   *     the bundled sample
   * @param trainLimit at most this many training examples (-1 for all)
   * @param testLimit at most this many test examples (-1 for all)
   * @throws IllegalArgumentException if {@code dir} was given but lacks the files
   */
  public static FashionMnist load(Path dir, int trainLimit, int testLimit) {
    return load(dir, trainLimit, testLimit, false);
  }

  /**
   * Like {@link #load(Path, int, int)}; with {@code eightBit} the features are the images' 8-bit
   * pixels, UBYTE [n, 1, 28, 28] with values 0..255 (a quarter of the memory of floats), for
   * {@link io.github.ssl4j.core.data.ArraySource#eightBit}, which scales each batch to the same
   * floats.
   */
  public static FashionMnist load(Path dir, int trainLimit, int testLimit, boolean eightBit) {
    if (dir != null) {
      for (String f : new String[] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
        if (!Files.isRegularFile(dir.resolve(f))) {
          throw new IllegalArgumentException(
              "Fashion-MNIST file " + dir.resolve(f) + " not found (--data " + dir + "). " + HOW_TO_GET);
        }
      }
      return fromDir(dir, trainLimit, testLimit, eightBit);
    }
    if (Files.isRegularFile(DEBIAN_DIR.resolve(TRAIN_IMAGES))) {
      return fromDir(DEBIAN_DIR, trainLimit, testLimit, eightBit);
    }
    return sample(trainLimit, testLimit, eightBit);
  }

  /** The sample shipped in this module (10,000 train, 2,000 test images). */
  public static FashionMnist sample(int trainLimit, int testLimit) {
    return sample(trainLimit, testLimit, false);
  }

  private static FashionMnist sample(int trainLimit, int testLimit, boolean eightBit) {
    return new FashionMnist(
        new LabelledData(
            images(resource(TRAIN_IMAGES, trainLimit), TRAIN_IMAGES, eightBit),
            IdxReader.labels(resource(TRAIN_LABELS, trainLimit), TRAIN_LABELS),
            10),
        new LabelledData(
            images(resource(TEST_IMAGES, testLimit), TEST_IMAGES, eightBit),
            IdxReader.labels(resource(TEST_LABELS, testLimit), TEST_LABELS),
            10),
        "bundled sample (10,000 train / 2,000 test images; for the full 60,000 / 10,000: " + HOW_TO_GET + ")",
        true);
  }

  private static FashionMnist fromDir(Path dir, int trainLimit, int testLimit, boolean eightBit) {
    return new FashionMnist(
        new LabelledData(
            images(IdxReader.read(dir.resolve(TRAIN_IMAGES), trainLimit), dir.resolve(TRAIN_IMAGES).toString(), eightBit),
            IdxReader.readLabels(dir.resolve(TRAIN_LABELS), trainLimit),
            10),
        new LabelledData(
            images(IdxReader.read(dir.resolve(TEST_IMAGES), testLimit), dir.resolve(TEST_IMAGES).toString(), eightBit),
            IdxReader.readLabels(dir.resolve(TEST_LABELS), testLimit),
            10),
        dir.toString(),
        false);
  }

  private static INDArray images(IdxReader.Idx idx, String source, boolean eightBit) {
    return eightBit ? IdxReader.pixels(idx, source) : IdxReader.images(idx, source);
  }

  private static IdxReader.Idx resource(String name, int limit) {
    try (InputStream in = FashionMnist.class.getResourceAsStream(SAMPLE + name)) {
      if (in == null) {
        throw new IllegalStateException("bundled sample " + SAMPLE + name + " missing from the class path");
      }
      return IdxReader.read(in, SAMPLE + name, limit);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Images flattened to vectors: [n, 784]. */
  public static INDArray flat(INDArray images) {
    return images.reshape(images.size(0), images.length() / images.size(0));
  }
}
