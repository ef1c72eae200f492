package io.github.ssl4j.tasks.nextframe;

import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.train.Seeds;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A Moving Fashion-MNIST generator (Moving MNIST, Srivastava et al. 2015, with garments): a few garment images bounce inside a larger
 * canvas, frames combined by pixel-wise maximum. Sequence {@code i} is a pure function of (seed,
 * i), so a data set of any size is reproducible without being stored; sequences are generated when
 * asked for (the trainer's prefetch thread pays for it).
 *
 * <p>Per sequence and per object: a source image drawn
 * uniformly from the pool, a top-left start position uniform over the positions where the image
 * lies fully inside the canvas, a velocity of 2–4 pixels per frame on each axis with a random sign;
 * after each frame the position moves by the velocity and reflects at the borders ({@code p < 0 →
 * −p}, {@code p > max → 2·max − p}, velocity sign flipped). The random draws come from a
 * {@link SplittableRandom} seeded from (seed, i).
 *
 * <pre>{@code
 * ExampleSource train = MovingFashionMnist.builder(images).seed(0).sequences(10_000).build();
 * INDArray batch = train.get(new long[] {0, 1});   // [2, 11, 1, 64, 64] in [0, 1]
 * }</pre>
 */
public final class MovingFashionMnist implements ExampleSource {
  private final Pool pool;
  private final int side;
  private final long seed;
  private final long sequences;
  private final int frames;
  private final int canvas;
  private final int objects;
  private final int minSpeed;
  private final int maxSpeed;
  private final int[] poolLabels; // null: no labels given

  private MovingFashionMnist(Builder b, Pool pool, int side) {
    this.poolLabels = b.labels == null ? null : b.labels.clone();
    this.pool = pool;
    this.side = side;
    this.seed = b.seed;
    this.sequences = b.sequences;
    this.frames = b.frames;
    this.canvas = b.canvas;
    this.objects = b.objects;
    this.minSpeed = b.minSpeed;
    this.maxSpeed = b.maxSpeed;
  }

  /**
   * @param images the source images, {@code [n, 1, s, s]} or {@code [n, s, s]}: values in [0, 1],
   *     or UBYTE 8-bit pixels (0..255, read as {@code k / 255f}; e.g. {@code IdxReader.readPixels})
   *     (e.g. Fashion-MNIST training images 0..49999 for training sequences and 50000..59999
   *     for held-out ones)
   */
  public static Builder builder(INDArray images) {
    return new Builder(images);
  }

  @Override
  public long size() {
    return sequences;
  }

  /** Frames per sequence. */
  public int frames() {
    return frames;
  }

  /** Side of the square canvas. */
  public int canvas() {
    return canvas;
  }

  /** @return {@code [indices.length, frames, 1, canvas, canvas]} float in [0, 1] */
  @Override
  public INDArray get(long[] indices) {
    Objects.requireNonNull(indices, "indices");
    int plane = canvas * canvas;
    float[] out = new float[Math.multiplyExact(indices.length, frames * plane)];
    float[] scratch = new float[side * side];
    for (int k = 0; k < indices.length; k++) {
      long i = indices[k];
      if (i < 0 || i >= sequences) {
        throw new IndexOutOfBoundsException("sequence index " + i + " outside [0, " + sequences + ")");
      }
      render(i, out, k * frames * plane, scratch);
    }
    return Nd4j.create(out, new long[] {indices.length, frames, 1, canvas, canvas}, DataType.FLOAT);
  }

  /** Sequence {@code i}, {@code [frames, 1, canvas, canvas]}. */
  public INDArray sequence(long i) {
    return get(new long[] {i}).reshape(frames, 1, canvas, canvas);
  }

  /**
   * The class of each object of sequence {@code i}, in drawing order (the order of the source
   * images; frames combine them by pixel-wise maximum, so no object hides another).
   *
   * @return {@code objects} class indices
   * @throws IllegalStateException if the generator was built without {@link Builder#labels}
   * @throws IndexOutOfBoundsException if {@code i} is outside {@code [0, size())}
   */
  public int[] objectClasses(long i) {
    requireLabels();
    checkIndex(i);
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, "moving-fashion-mnist", i));
    int[] classes = new int[objects];
    for (int o = 0; o < objects; o++) {
      classes[o] = poolLabels[rng.nextInt(pool.size())];
      rng.nextInt(canvas - side + 1); // the same draws as render(), in the same order
      rng.nextInt(canvas - side + 1);
      rng.nextInt(maxSpeed - minSpeed + 1);
      rng.nextBoolean();
      rng.nextInt(maxSpeed - minSpeed + 1);
      rng.nextBoolean();
    }
    return classes;
  }

  /**
   * A clip-level label per sequence: the class of its first object ({@link #objectClasses}{@code
   * (i)[0]}); with {@link Builder#objects objects(1)} the class of the one garment in the clip.
   *
   * @return {@code size()} class indices, sequence order
   * @throws IllegalStateException if the generator was built without {@link Builder#labels}
   */
  public int[] clipClasses() {
    requireLabels();
    int[] out = new int[Math.toIntExact(sequences)];
    for (int i = 0; i < out.length; i++) {
      out[i] = objectClasses(i)[0];
    }
    return out;
  }

  private void requireLabels() {
    if (poolLabels == null) {
      throw new IllegalStateException("MovingFashionMnist was built without the images' labels; pass them"
          + " with builder(images).labels(classes) to ask for object or clip classes");
    }
  }

  private void checkIndex(long i) {
    if (i < 0 || i >= sequences) {
      throw new IndexOutOfBoundsException("sequence index " + i + " outside [0, " + sequences + ")");
    }
  }

  private void render(long index, float[] out, int offset, float[] scratch) {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, "moving-fashion-mnist", index));
    int plane = canvas * canvas;
    int max = canvas - side;
    for (int o = 0; o < objects; o++) {
      float[] img = pool.image(rng.nextInt(pool.size()), scratch);
      int y = rng.nextInt(max + 1);
      int x = rng.nextInt(max + 1);
      int vy = (minSpeed + rng.nextInt(maxSpeed - minSpeed + 1)) * (rng.nextBoolean() ? 1 : -1);
      int vx = (minSpeed + rng.nextInt(maxSpeed - minSpeed + 1)) * (rng.nextBoolean() ? 1 : -1);
      for (int t = 0; t < frames; t++) {
        int base = offset + t * plane;
        for (int r = 0; r < side; r++) {
          int row = base + (y + r) * canvas + x;
          int src = r * side;
          for (int c = 0; c < side; c++) {
            float v = img[src + c];
            if (v > out[row + c]) {
              out[row + c] = v;
            }
          }
        }
        y += vy;
        x += vx;
        if (y < 0 || y > max) {
          y = y < 0 ? -y : 2 * max - y;
          vy = -vy;
        }
        if (x < 0 || x > max) {
          x = x < 0 ? -x : 2 * max - x;
          vx = -vx;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "MovingFashionMnist[" + sequences + " sequences of " + frames + " frames, " + canvas + "x"
        + canvas + ", " + objects + " objects of " + side + "x" + side + " from " + pool.size()
        + " images, speed " + minSpeed + "-" + maxSpeed + " px/frame, seed " + seed + "]";
  }

  /**
   * The source images, one row of {@code side * side} pixels each: one byte per pixel when they
   * were given as UBYTE pixels or every value is an 8-bit level {@code k / 255f} (images scaled
   * from 8-bit data, such as {@code IdxReader.readImages}'), else one float per pixel.
   */
  private static final class Pool {
    private static final int CHUNK_ROWS = 1024;
    private static final float[] LEVELS = new float[256];

    static {
      for (int k = 0; k < LEVELS.length; k++) {
        LEVELS[k] = k / 255f;
      }
    }

    private final int size;
    private final int pixels;
    private final byte[] levels; // null when the values are not all 8-bit levels
    private final float[] values; // null when levels holds them

    private Pool(int size, int pixels, byte[] levels, float[] values) {
      this.size = size;
      this.pixels = pixels;
      this.levels = levels;
      this.values = values;
    }

    /**
     * @param flat {@code [n, pixels]}: UBYTE pixels 0..255, or values in [0, 1] of another type
     * @throws IllegalArgumentException if a value is outside [0, 1]
     */
    static Pool of(INDArray flat) {
      int n = Math.toIntExact(flat.size(0));
      int pixels = Math.toIntExact(flat.size(1));
      int total = Math.multiplyExact(n, pixels);
      byte[] levels = new byte[total];
      float[] values = null;
      boolean eightBit = flat.dataType() == DataType.UBYTE;
      for (int start = 0; start < n; start += CHUNK_ROWS) {
        int end = Math.min(n, start + CHUNK_ROWS);
        INDArray rows = Nd4j.toFlattened('c', flat.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()));
        if (eightBit) {
          int[] chunk = rows.castTo(DataType.INT32).toIntVector();
          for (int j = 0; j < chunk.length; j++) {
            levels[start * pixels + j] = (byte) chunk[j];
          }
          continue;
        }
        float[] chunk = rows.castTo(DataType.FLOAT).toFloatVector();
        for (int j = 0; j < chunk.length; j++) {
          float v = chunk[j];
          int at = start * pixels + j;
          if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException("MovingFashionMnist needs pixel values in [0, 1], image "
                + at / pixels + " has " + v + "; divide 8-bit images by 255");
          }
          if (values != null) {
            values[at] = v;
            continue;
          }
          int k = Math.round(v * 255f);
          if (LEVELS[k] == v) {
            levels[at] = (byte) k;
          } else { // not 8-bit: keep floats from here on
            values = new float[total];
            for (int i = 0; i < at; i++) {
              values[i] = LEVELS[levels[i] & 0xff];
            }
            values[at] = v;
            levels = null;
          }
        }
      }
      return new Pool(n, pixels, levels, values);
    }

    int size() {
      return size;
    }

    /** Writes image {@code n}'s pixels into {@code scratch} ({@code pixels} long) and returns it. */
    float[] image(int n, float[] scratch) {
      int from = n * pixels;
      if (levels == null) {
        System.arraycopy(values, from, scratch, 0, pixels);
        return scratch;
      }
      for (int i = 0; i < pixels; i++) {
        scratch[i] = LEVELS[levels[from + i] & 0xff];
      }
      return scratch;
    }
  }

  /** Builder; defaults: 10,000 sequences, 11 frames, 64x64, 2 objects, speed 2–4. */
  public static final class Builder {
    private final INDArray images;
    private long seed = Seeds.DEFAULT;
    private long sequences = 10_000;
    private int frames = 11;
    private int canvas = 64;
    private int objects = 2;
    private int minSpeed = 2;
    private int maxSpeed = 4;
    private int[] labels;

    private Builder(INDArray images) {
      this.images = Objects.requireNonNull(images, "images");
    }

    /** Seed of the whole data set; sequence i depends only on (seed, i). Default {@link Seeds#DEFAULT} (42). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Number of sequences the source offers (any positive count). Default 10,000. */
    public Builder sequences(long count) {
      this.sequences = count;
      return this;
    }

    /** Frames per sequence, at least 2. Default 11. */
    public Builder frames(int frames) {
      this.frames = frames;
      return this;
    }

    /** Side of the square canvas, at least the image side. Default 64. */
    public Builder canvas(int side) {
      this.canvas = side;
      return this;
    }

    /** Objects per sequence, at least 1. Default 2. */
    public Builder objects(int objects) {
      this.objects = objects;
      return this;
    }

    /** Speed range per axis in pixels per frame, inclusive, 0 ≤ min ≤ max. Default 2–4. */
    public Builder speed(int min, int max) {
      this.minSpeed = min;
      this.maxSpeed = max;
      return this;
    }

    /**
     * The class of each source image (one per image, e.g. Fashion-MNIST's 0–9), so that {@link
     * #objectClasses} and {@link #clipClasses} can label the clips. Default: none (unlabelled).
     */
    public Builder labels(int[] classes) {
      this.labels = Objects.requireNonNull(classes, "classes").clone();
      return this;
    }

    /** @throws IllegalArgumentException naming the bad value, what was expected and how to fix it */
    public MovingFashionMnist build() {
      long[] shape = images.shape();
      boolean square = (images.rank() == 3 && shape[1] == shape[2])
          || (images.rank() == 4 && shape[1] == 1 && shape[2] == shape[3]);
      if (!square || shape[0] < 1) {
        throw new IllegalArgumentException("MovingFashionMnist needs at least one square grey image,"
            + " [n, 1, s, s] or [n, s, s], got shape " + Arrays.toString(shape)
            + "; e.g. Fashion-MNIST training images [60000, 1, 28, 28] scaled to [0, 1]");
      }
      int side = (int) shape[shape.length - 1];
      require(labels == null || labels.length == shape[0], "labels", labels == null ? 0 : labels.length,
          "one class per source image (" + shape[0] + ")");
      require(sequences >= 1, "sequences", sequences, ">= 1");
      require(frames >= 2, "frames", frames, ">= 2 (a context frame and a next frame)");
      require(canvas >= side, "canvas", canvas, ">= the image side " + side);
      require(objects >= 1, "objects", objects, ">= 1");
      require(minSpeed >= 0 && minSpeed <= maxSpeed && maxSpeed <= canvas - side, "speed",
          minSpeed + "-" + maxSpeed, "0 <= min <= max <= canvas - image side (" + (canvas - side) + ")");
      Pool pool = Pool.of(images.reshape('c', shape[0], (long) side * side));
      return new MovingFashionMnist(this, pool, side);
    }

    private static void require(boolean ok, String what, Object value, String expected) {
      if (!ok) {
        throw new IllegalArgumentException("MovingFashionMnist " + what + " must be " + expected
            + ", got " + value);
      }
    }
  }
}
