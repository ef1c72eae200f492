package io.github.ssl4j.tasks.contrastive.augment;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Crops a random box of each image and resizes it back to the full h x w with bilinear
 * interpolation (torchvision's {@code RandomResizedCrop}, {@code align_corners=False}).
 *
 * <p>Per image, up to 10 attempts draw an area fraction uniformly from [minScale, maxScale] and an
 * aspect ratio (width/height) log-uniformly from [minAspect, maxAspect]; when the box fits, it is
 * placed uniformly at random. If no attempt fits, the largest centred box whose aspect ratio is
 * within range is used. One box per image, shared by its
 * channels. Since the box is never larger than the image, the resize only up-samples.
 *
 * <p>{@link Placement} says how the box is placed: {@link Placement#WHOLE_PIXEL} (torchvision) rounds
 * its size to whole pixels and puts it at whole-pixel offsets, then resizes the cropped pixels;
 * {@link Placement#SUB_PIXEL} keeps the drawn size and draws the offset continuously, and samples
 * the whole image at the box's pixel positions (an affine warp, as PyTorch's {@code F.affine_grid} +
 * {@code F.grid_sample(align_corners=False, padding_mode='border')}), so
 * samples near the box edge may blend in the pixel just outside it. Both draw the same number of
 * values from the generator.
 *
 * @param minScale smallest crop area as a fraction of the image area, in (0, 1]
 * @param maxScale largest crop area fraction, in [minScale, 1]
 * @param minAspect smallest width/height ratio, &gt; 0
 * @param maxAspect largest width/height ratio, &gt;= minAspect
 * @param placement whole-pixel (torchvision) or sub-pixel (affine warp) boxes
 */
public record RandomResizedCrop(
    double minScale, double maxScale, double minAspect, double maxAspect, Placement placement)
    implements PixelAugmentation {

  private static final int ATTEMPTS = 10;

  /** How a crop box is placed on the pixel grid. */
  public enum Placement {
    /** Size rounded to whole pixels, whole-pixel offset; only the box's pixels are sampled. */
    WHOLE_PIXEL,
    /** Continuous size and offset; the image is sampled at the box's positions (border clamp). */
    SUB_PIXEL
  }

  /** A torchvision-style crop ({@link Placement#WHOLE_PIXEL}). */
  public RandomResizedCrop(double minScale, double maxScale, double minAspect, double maxAspect) {
    this(minScale, maxScale, minAspect, maxAspect, Placement.WHOLE_PIXEL);
  }

  /** Validates the ranges. */
  public RandomResizedCrop {
    if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
      throw new IllegalArgumentException(
          "RandomResizedCrop scale range must satisfy 0 < minScale <= maxScale <= 1, got ["
              + minScale + ", " + maxScale + "]; e.g. [0.5, 1.0] for 28x28 images");
    }
    if (!(minAspect > 0 && minAspect <= maxAspect && Double.isFinite(maxAspect))) {
      throw new IllegalArgumentException(
          "RandomResizedCrop aspect range must satisfy 0 < minAspect <= maxAspect < infinity, got ["
              + minAspect + ", " + maxAspect + "]; SimCLR uses [3/4, 4/3]");
    }
    Objects.requireNonNull(placement, "placement (WHOLE_PIXEL or SUB_PIXEL)");
  }

  /**
   * SimCLR's crop for small images: aspect ratio 3/4–4/3 (as the paper), area scale 0.5–1.0
   * (the paper's 0.08–1.0 leaves too little of a 28x28 image), whole-pixel boxes (torchvision).
   */
  public static RandomResizedCrop simclr() {
    return new RandomResizedCrop(0.5, 1.0, 3.0 / 4.0, 4.0 / 3.0);
  }

  @Override
  public float[] apply(float[] src, int n, int c, int h, int w, RandomGenerator rng) {
    float[] out = new float[src.length];
    int[] x0 = new int[w];
    int[] x1 = new int[w];
    float[] fx = new float[w];
    int[] y0 = new int[h];
    int[] y1 = new int[h];
    float[] fy = new float[h];
    double[] box = new double[4];
    int plane = h * w;
    for (int i = 0; i < n; i++) {
      drawBox(h, w, rng, box);
      axis(box[1], box[3], w, x0, x1, fx);
      axis(box[0], box[2], h, y0, y1, fy);
      for (int ch = 0; ch < c; ch++) {
        int base = (i * c + ch) * plane;
        resize(src, out, base, w, h, x0, x1, fx, y0, y1, fy);
      }
    }
    return out;
  }

  /** Bilinear resampling of one channel plane at the precomputed source rows and columns. */
  private static void resize(float[] src, float[] out, int base, int w, int h,
      int[] x0, int[] x1, float[] fx, int[] y0, int[] y1, float[] fy) {
    for (int y = 0; y < h; y++) {
      int r0 = base + y0[y] * w;
      int r1 = base + y1[y] * w;
      float wy = fy[y];
      int o = base + y * w;
      for (int x = 0; x < w; x++) {
        int a = x0[x];
        int b = x1[x];
        float f = fx[x];
        float upper = src[r0 + a] + (src[r0 + b] - src[r0 + a]) * f;
        float lower = src[r1 + a] + (src[r1 + b] - src[r1 + a]) * f;
        out[o + x] = upper + (lower - upper) * wy;
      }
    }
  }

  /**
   * Sampling along one axis of {@code extent} pixels for a box edge at {@code start} of {@code
   * size} pixels: {@link Placement#WHOLE_PIXEL} crops the box's pixels and resizes them (samples
   * clamped inside the box, as torchvision); {@link Placement#SUB_PIXEL} warps the whole image
   * (samples clamped to the image, as {@code grid_sample}'s border padding).
   */
  private void axis(double start, double size, int extent, int[] i0, int[] i1, float[] frac) {
    if (placement == Placement.WHOLE_PIXEL) {
      sampling(start, size, start, start + size - 1, extent, i0, i1, frac);
    } else {
      sampling(start, size, 0, extent - 1, extent, i0, i1, frac);
    }
  }

  /**
   * Source indices and weights for {@code out} output pixels sampling a box of {@code size} pixels
   * starting at {@code start} (half-pixel centres, {@code align_corners=False}); source positions
   * are clamped to [{@code lo}, {@code hi}].
   */
  private static void sampling(double start, double size, double lo, double hi, int out,
      int[] i0, int[] i1, float[] frac) {
    double ratio = size / out;
    int last = (int) hi;
    for (int o = 0; o < out; o++) {
      double s = Math.min(Math.max(start + (o + 0.5) * ratio - 0.5, lo), hi);
      int floor = (int) Math.floor(s);
      i0[o] = floor;
      i1[o] = Math.min(floor + 1, last);
      frac[o] = (float) (s - floor);
    }
  }

  /**
   * Fills {top, left, height, width} of a crop box, as torchvision's get_params (whole pixels) or
   * with continuous size and offset (sub-pixel).
   */
  private void drawBox(int h, int w, RandomGenerator rng, double[] box) {
    double area = (double) h * w;
    double logMin = Math.log(minAspect);
    double logMax = Math.log(maxAspect);
    boolean whole = placement == Placement.WHOLE_PIXEL;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double target = area * Images.uniform(rng, minScale, maxScale);
      double aspect = Math.exp(Images.uniform(rng, logMin, logMax));
      double cw = Math.sqrt(target * aspect);
      double ch = Math.sqrt(target / aspect);
      if (whole) {
        cw = Math.round(cw);
        ch = Math.round(ch);
      }
      if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
        if (whole) {
          box[0] = rng.nextInt(h - (int) ch + 1);
          box[1] = rng.nextInt(w - (int) cw + 1);
        } else {
          box[0] = rng.nextDouble() * (h - ch);
          box[1] = rng.nextDouble() * (w - cw);
        }
        box[2] = ch;
        box[3] = cw;
        return;
      }
    }
    double ratio = (double) w / h;
    double cw;
    double ch;
    if (ratio < minAspect) {
      cw = w;
      ch = Math.max(1, Math.min(h, Math.round(w / minAspect)));
    } else if (ratio > maxAspect) {
      ch = h;
      cw = Math.max(1, Math.min(w, Math.round(h * maxAspect)));
    } else {
      cw = w;
      ch = h;
    }
    box[0] = whole ? Math.floor((h - ch) / 2) : (h - ch) / 2;
    box[1] = whole ? Math.floor((w - cw) / 2) : (w - cw) / 2;
    box[2] = ch;
    box[3] = cw;
  }
}
