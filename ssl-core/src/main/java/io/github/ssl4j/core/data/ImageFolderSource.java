package io.github.ssl4j.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The images of a directory tree (JPEG, PNG, BMP, GIF), decoded from disk on demand: only the file
 * list is held in memory, so the folder may be far larger than the heap.
 *
 * <pre>{@code
 * try (ImageFolderSource images = ImageFolderSource.builder(Path.of("photos"))
 *     .channels(3).size(64, 64)            // [n, 3, 64, 64], values in [0, 1]
 *     .classFolders(true)                  // photos/<class>/**: labels() for evaluation
 *     .build()) {
 *   new Trainer(config).fit(task, ConvEncoder.small(64, 64, 3), images);
 * }
 * }</pre>
 *
 * <p><b>Files.</b> The tree is walked once, when built; files are taken in the order of their
 * relative paths (so index {@code i} is the same file on every run over the same tree). Files whose
 * name ends in {@code .jpg}, {@code .jpeg}, {@code .png}, {@code .bmp} or {@code .gif} (any case)
 * are images; other files and names starting with a dot are ignored. With {@link
 * Builder#classFolders(boolean) classFolders(true)} each sub-folder of the root is a class (class
 * index = position of its name in sorted order, {@link #classes()}), its images are searched at any
 * depth below it, and an image directly in the root is an error.
 *
 * <p><b>Resume.</b> The source has random access by index: the trainer draws each epoch's order
 * from its seed and stores only the step in a checkpoint, so a resumed run reads the same files in
 * the same order, provided the tree is unchanged ({@link #size()} is part of the checkpoint's
 * fingerprint; adding or removing a file changes the order).
 *
 * <p><b>Decoding</b> uses ImageIO with the plugins on the class path (ssl-core brings TwelveMonkeys'
 * JPEG reader, which reads CMYK and YCCK JPEG): {@link #get} decodes its images in parallel on a
 * small pool of daemon threads ({@link Builder#threads}), and the trainer calls it on its prefetch
 * thread, a batch or two ahead of the step. Each image is resized so that it covers the target
 * (both sides scaled by {@code max(height / h, width / w)}: for a square target the shorter side
 * becomes the target size) with an antialiased bilinear filter, then centre-cropped to {@code
 * height x width}. Values are in [0, 1]: 8- and 16-bit grey by their maximum, palette and colour
 * images as 8-bit sRGB; alpha is composited onto black; one channel from a colour image is the
 * ITU-R 601 luma, three channels from a grey image repeat it.
 *
 * <p><b>Unreadable files</b> ({@link Unreadable}): a file is checked twice. When built, the first
 * bytes of every image file are read (a few bytes per file): an empty file or one whose content is
 * not JPEG, PNG, BMP or GIF fails the build ({@link Unreadable#FAIL}, the default, naming the file)
 * or is left out of the index ({@link Unreadable#SKIP}). A file whose header is fine but whose data
 * is damaged (a truncated or corrupt JPEG, a reader warning) is found only when decoded: with FAIL,
 * {@link #get} throws an {@link IllegalArgumentException} naming the file; with SKIP, its slot in
 * the batch is filled by the next decodable file in index order, so every batch keeps its size and
 * the epoch its length, and the substitution is the same on every run (resume stays exact).
 * Skipped files are listed by {@link #skipped()} and reported to the {@link Builder#onSkip}
 * callback once each.
 *
 * <p>Thread-safe. {@link #close()} stops the decoding threads (they are daemon threads, so a
 * forgotten close does not keep the JVM alive).
 */
public final class ImageFolderSource implements ExampleSource, AutoCloseable {

  /** What to do with a file that is not a readable image. */
  public enum Unreadable {
    /** Throw an {@link IllegalArgumentException} naming the file (default). */
    FAIL,
    /** Leave it out (found when built) or substitute the next decodable file (found when decoded). */
    SKIP
  }

  /**
   * A file left out or substituted under {@link Unreadable#SKIP}.
   *
   * @param file the file
   * @param reason why it could not be read
   * @param atDecode false if found when the source was built (left out of the index), true if
   *     found when decoding (its slot filled by the next decodable file)
   */
  public record Skipped(Path file, String reason, boolean atDecode) {}

  private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

  private final Path root;
  private final List<Path> files;
  private final int[] labels;
  private final List<String> classes;
  private final int channels;
  private final int height;
  private final int width;
  private final Unreadable unreadable;
  private final ImageDecoder decoder;
  private final ExecutorService pool;
  private final int threads;
  private final List<Skipped> skipped = new CopyOnWriteArrayList<>();
  private final Set<Integer> undecodable = ConcurrentHashMap.newKeySet();
  private final Consumer<Skipped> onSkip;

  private ImageFolderSource(Builder b, List<Path> files, int[] labels, List<String> classes,
      List<Skipped> skippedAtScan) {
    this.root = b.root;
    this.files = List.copyOf(files);
    this.labels = labels;
    this.classes = classes;
    this.channels = b.channels;
    this.height = b.height;
    this.width = b.width;
    this.unreadable = b.unreadable;
    this.decoder = new ImageDecoder(channels, height, width);
    this.threads = b.threads;
    this.onSkip = b.onSkip;
    AtomicInteger n = new AtomicInteger();
    this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "ssl4j-image-decode-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }) : null;
    skippedAtScan.forEach(this::skip);
  }

  /**
   * A builder for the images under {@code root}.
   *
   * @param root the folder to read (walked recursively)
   */
  public static Builder builder(Path root) {
    return new Builder(root);
  }

  @Override
  public long size() {
    return files.size();
  }

  /**
   * The decoded images at {@code indices}, decoded in parallel.
   *
   * @return shape [indices.length, channels, height, width], FLOAT, values in [0, 1]
   * @throws IndexOutOfBoundsException if an index is outside [0, size())
   * @throws IllegalArgumentException under {@link Unreadable#FAIL}, if a file cannot be decoded
   *     (the message names it); under SKIP, if no file of the source can be decoded
   * @throws UncheckedIOException if a file cannot be read from disk (e.g. deleted since the build)
   */
  @Override
  public INDArray get(long[] indices) {
    int per = decoder.valuesPerImage();
    if ((long) indices.length * per > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(indices.length + " images of " + per
          + " values do not fit one array; ask for fewer at a time");
    }
    for (long i : indices) {
      if (i < 0 || i >= files.size()) {
        throw new IndexOutOfBoundsException("image index " + i + " outside [0, " + files.size() + ")");
      }
    }
    float[] values = new float[indices.length * per];
    if (pool == null || indices.length == 1) {
      for (int k = 0; k < indices.length; k++) {
        decodeInto((int) indices[k], values, k * per);
      }
    } else {
      int chunks = Math.min(threads, indices.length);
      List<Future<?>> futures = new ArrayList<>(chunks);
      for (int t = 0; t < chunks; t++) {
        int first = t;
        futures.add(pool.submit(() -> {
          for (int k = first; k < indices.length; k += chunks) {
            decodeInto((int) indices[k], values, k * per);
          }
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          futures.forEach(other -> other.cancel(true));
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException("Decoding images failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          futures.forEach(other -> other.cancel(true));
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while decoding images", e);
        }
      }
    }
    return Nd4j.create(values, new long[] {indices.length, channels, height, width}, DataType.FLOAT);
  }

  /** Decodes image {@code index}, or under SKIP the next decodable one after it. */
  private void decodeInto(int index, float[] out, int offset) {
    int n = files.size();
    for (int k = 0; k < n; k++) {
      int i = (index + k) % n;
      if (undecodable.contains(i)) {
        continue;
      }
      Path file = files.get(i);
      if (!Files.isReadable(file)) {
        throw new UncheckedIOException(new IOException("Image file " + file
            + " is missing or unreadable; it was there when the ImageFolderSource was built."
            + " Do not change the folder during training (or build the source again)"));
      }
      try {
        decoder.decode(file, out, offset);
        return;
      } catch (ImageDecoder.UnreadableImageException e) {
        if (unreadable == Unreadable.FAIL) {
          throw new IllegalArgumentException("Cannot decode image " + file + " (example " + i + "): "
              + e.getMessage() + ". Replace or delete the file, or build the source with"
              + " onUnreadable(Unreadable.SKIP) to skip such files", e);
        }
        if (undecodable.add(i)) {
          skip(new Skipped(file, e.getMessage(), true));
        }
      }
    }
    throw new IllegalArgumentException("None of the " + n + " image files under " + root
        + " can be decoded (e.g. " + skipped.get(0) + "); check that they are JPEG or PNG images");
  }

  private void skip(Skipped s) {
    skipped.add(s);
    if (onSkip != null) {
      onSkip.accept(s);
    }
  }

  /** The folder read. */
  public Path root() {
    return root;
  }

  /** The file of example {@code index}. */
  public Path file(long index) {
    return files.get(Math.toIntExact(index));
  }

  /** The id of example {@code index}: its path relative to {@link #root()}, with '/' separators. */
  public String id(long index) {
    Path rel = root.relativize(file(index));
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  /** Channels of each decoded image (1 or 3). */
  public int channels() {
    return channels;
  }

  /** Height of each decoded image in pixels. */
  public int height() {
    return height;
  }

  /** Width of each decoded image in pixels. */
  public int width() {
    return width;
  }

  /** The class names (sorted sub-folder names) with {@code classFolders(true)}, else empty. */
  public List<String> classes() {
    return classes;
  }

  /**
   * The class index of every example, in index order ({@code classFolders(true)}), else empty.
   *
   * @return a copy
   */
  public Optional<int[]> labels() {
    return labels == null ? Optional.empty() : Optional.of(labels.clone());
  }

  /** The files skipped so far under {@link Unreadable#SKIP}, in the order found (a snapshot). */
  public List<Skipped> skipped() {
    return List.copyOf(skipped);
  }

  /** Stops the decoding threads; {@link #get} may not be called afterwards. */
  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "ImageFolderSource{" + root + ", " + files.size() + " images, " + channels + "x" + height
        + "x" + width + (labels != null ? ", " + classes.size() + " classes" : "") + "}";
  }

  /** Image format of a file's first bytes, or null if it is none that is read. */
  static String sniff(byte[] head, int n) {
    if (n >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8 && (head[2] & 0xff) == 0xFF) {
      return "JPEG";
    }
    if (n >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G'
        && head[4] == 0x0D && head[5] == 0x0A && head[6] == 0x1A && head[7] == 0x0A) {
      return "PNG";
    }
    if (n >= 4 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F' && head[3] == '8') {
      return "GIF";
    }
    if (n >= 2 && head[0] == 'B' && head[1] == 'M') {
      return "BMP";
    }
    return null;
  }

  /** Builder for {@link ImageFolderSource}; {@link #build()} walks the folder. */
  public static final class Builder {
    private final Path root;
    private int channels = 3;
    private int height = 32;
    private int width = 32;
    private boolean classFolders;
    private Unreadable unreadable = Unreadable.FAIL;
    private int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private Consumer<Skipped> onSkip;

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root, "root");
    }

    /** Channels of the decoded images: 1 (grey) or 3 (RGB); default 3. */
    public Builder channels(int channels) {
      if (channels != 1 && channels != 3) {
        throw new IllegalArgumentException(
            "channels must be 1 (grey) or 3 (RGB), got " + channels);
      }
      this.channels = channels;
      return this;
    }

    /** Height and width of the decoded images in pixels (resize to cover, centre crop); default 32 x 32. */
    public Builder size(int height, int width) {
      if (height < 1 || width < 1 || height > 4096 || width > 4096) {
        throw new IllegalArgumentException(
            "image size must be in [1, 4096] pixels per side, got " + height + "x" + width);
      }
      this.height = height;
      this.width = width;
      return this;
    }

    /**
     * Whether each sub-folder of the root is a class ({@link ImageFolderSource#labels()}, {@link
     * ImageFolderSource#classes()});
     * default false (every image below the root, no labels).
     */
    public Builder classFolders(boolean on) {
      this.classFolders = on;
      return this;
    }

    /** The unreadable-file policy; default {@link Unreadable#FAIL}. */
    public Builder onUnreadable(Unreadable policy) {
      this.unreadable = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Called once for each file skipped under {@link Unreadable#SKIP} (from a decoding thread); default none. */
    public Builder onSkip(Consumer<Skipped> listener) {
      this.onSkip = listener;
      return this;
    }

    /**
     * Threads decoding the images of one {@link #get} call; default {@code min(4, available
     * processors)}; 1 decodes on the calling thread.
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("threads must be in [1, 256], got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Walks the folder and checks each image file's first bytes.
     *
     * @throws UncheckedIOException if the root is not a readable directory
     * @throws IllegalArgumentException if it holds no image file; under {@link Unreadable#FAIL}, if
     *     a file is empty or not an image (naming it); with class folders, if the root holds
     *     images directly or fewer than two classes have images
     */
    public ImageFolderSource build() {
      if (!Files.isDirectory(root)) {
        throw new UncheckedIOException(new IOException("Image folder " + root.toAbsolutePath()
            + " does not exist or is not a directory; pass the folder that holds the images"));
      }
      List<Path> all = walk(root);
      List<Path> files = new ArrayList<>();
      List<Skipped> skippedAtScan = new ArrayList<>();
      List<String> classes = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      for (Path f : all) {
        Path rel = root.relativize(f);
        int label = -1;
        if (classFolders) {
          if (rel.getNameCount() < 2) {
            throw new IllegalArgumentException("Image " + f + " lies directly in " + root
                + ", but with classFolders(true) every image must be in a class sub-folder"
                + " (root/<class>/...); move it, or use classFolders(false) for unlabelled data");
          }
          String cls = rel.getName(0).toString();
          if (classes.isEmpty() || !classes.get(classes.size() - 1).equals(cls)) {
            classes.add(cls);
          }
          label = classes.size() - 1;
        }
        String problem = check(f);
        if (problem != null) {
          if (unreadable == Unreadable.FAIL) {
            throw new IllegalArgumentException("Not a readable image: " + f + ": " + problem
                + ". Delete or replace the file, or build the source with"
                + " onUnreadable(Unreadable.SKIP) to skip such files");
          }
          skippedAtScan.add(new Skipped(f, problem, false));
          continue;
        }
        files.add(f);
        labels.add(label);
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException("No readable image file (" + String.join(", ", EXTENSIONS)
            + ") under " + root.toAbsolutePath() + (skippedAtScan.isEmpty() ? ""
                : "; " + skippedAtScan.size() + " skipped, e.g. " + skippedAtScan.get(0))
            + "; check the folder");
      }
      if (classFolders && classes.size() < 2) {
        throw new IllegalArgumentException("With classFolders(true), " + root + " must hold at least"
            + " two class sub-folders with images, found " + classes + "; use classFolders(false)"
            + " for unlabelled data");
      }
      int[] l = classFolders ? labels.stream().mapToInt(Integer::intValue).toArray() : null;
      return new ImageFolderSource(this, files, l,
          classFolders ? List.copyOf(classes) : List.of(), skippedAtScan);
    }

    /** Image files below {@code dir}, sorted by relative path (so class folders come in name order). */
    private static List<Path> walk(Path dir) {
      try (Stream<Path> s = Files.walk(dir)) {
        List<Path> out = new ArrayList<>(s.filter(p -> {
          Path rel = dir.relativize(p);
          for (Path part : rel) {
            if (part.toString().startsWith(".")) {
              return false;
            }
          }
          String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
          return EXTENSIONS.stream().anyMatch(name::endsWith) && Files.isRegularFile(p);
        }).toList());
        Collections.sort(out, (a, b) -> compareRelative(dir.relativize(a), dir.relativize(b)));
        return out;
      } catch (IOException | UncheckedIOException e) {
        throw new UncheckedIOException("Could not list the image folder " + dir + ": " + e.getMessage(),
            e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
      }
    }

    /** Orders relative paths name by name, so "a/x" sorts before "a-b/x" (class folders stay together). */
    private static int compareRelative(Path a, Path b) {
      int n = Math.min(a.getNameCount(), b.getNameCount());
      for (int i = 0; i < n; i++) {
        int c = a.getName(i).toString().compareTo(b.getName(i).toString());
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(a.getNameCount(), b.getNameCount());
    }

    /** Null if the file's first bytes are those of a readable format, else what is wrong. */
    private static String check(Path f) {
      byte[] head = new byte[8];
      int n;
      try (InputStream in = Files.newInputStream(f)) {
        n = in.readNBytes(head, 0, head.length);
      } catch (IOException e) {
        return "cannot be read (" + e.getMessage() + ")";
      }
      if (n == 0) {
        return "the file is empty (0 bytes)";
      }
      if (sniff(head, n) == null) {
        return "its content is not JPEG, PNG, BMP or GIF (first bytes " + hex(head, n) + ")";
      }
      return null;
    }

    private static String hex(byte[] b, int n) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.append(String.format("%02X", b[i] & 0xff));
        if (i + 1 < n) {
          sb.append(' ');
        }
      }
      return sb.toString();
    }
  }
}
