package io.github.ssl4j.tasks.contrastive.augment;

import java.util.random.RandomGenerator;

/**
 * Crops a random box of each image and resizes it back to the full h x w with bilinear
 * interpolation (torchvision's {@code RandomResizedCrop}, {@code align_corners=False}).
 *
 * <p>Per image, up to 10 attempts draw an area fraction uniformly from [minScale, maxScale] and an
 * aspect ratio (width/height) log-uniformly from [minAspect, maxAspect]; the box size is rounded to
 * whole pixels and, when it fits, placed uniformly at random. If no attempt fits, the largest
 * centred box whose aspect ratio is within range is used. One box per image, shared by its
 * channels. Since the box is never larger than the image, the resize only up-samples.
 *
 * @param minScale smallest crop area as a fraction of the image area, in (0, 1]
 * @param maxScale largest crop area fraction, in [minScale, 1]
 * @param minAspect smallest width/height ratio, &gt; 0
 * @param maxAspect largest width/height ratio, &gt;= minAspect
 */
public record RandomResizedCrop(double minScale, double maxScale, double minAspect, double maxAspect)
    implements PixelAugmentation {

  private static final int ATTEMPTS = 10;

  /** Validates the ranges. */
  public RandomResizedCrop {
    if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
      throw new IllegalArgumentException(
          "RandomResizedCrop scale range must satisfy 0 < minScale <= maxScale <= 1, got ["
              + minScale + ", " + maxScale + "]; W1 uses [0.5, 1.0]");
    }
    if (!(minAspect > 0 && minAspect <= maxAspect && Double.isFinite(maxAspect))) {
      throw new IllegalArgumentException(
          "RandomResizedCrop aspect range must satisfy 0 < minAspect <= maxAspect < infinity, got ["
              + minAspect + ", " + maxAspect + "]; W1 uses [3/4, 4/3]");
    }
  }

  /** W1: area scale 0.5–1.0, aspect ratio 3/4–4/3. */
  public static RandomResizedCrop w1() {
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
    int[] box = new int[4];
    int plane = h * w;
    for (int i = 0; i < n; i++) {
      drawBox(h, w, rng, box);
      int top = box[0];
      int left = box[1];
      sampling(box[3], w, x0, x1, fx);
      sampling(box[2], h, y0, y1, fy);
      for (int ch = 0; ch < c; ch++) {
        int base = (i * c + ch) * plane;
        resize(src, out, base, w, h, base + top * w + left, x0, x1, fx, y0, y1, fy);
      }
    }
    return out;
  }

  /** Bilinear resampling of one channel plane; the crop origin is {@code origin} in {@code src}. */
  private static void resize(float[] src, float[] out, int base, int w, int h, int origin,
      int[] x0, int[] x1, float[] fx, int[] y0, int[] y1, float[] fy) {
    for (int y = 0; y < h; y++) {
      int r0 = origin + y0[y] * w;
      int r1 = origin + y1[y] * w;
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

  /** Source indices and weights for resizing {@code in} pixels to {@code out} (half-pixel centres). */
  private static void sampling(int in, int out, int[] i0, int[] i1, float[] frac) {
    double ratio = (double) in / out;
    for (int o = 0; o < out; o++) {
      double s = (o + 0.5) * ratio - 0.5;
      if (s < 0) {
        s = 0;
      }
      int lo = Math.min((int) s, in - 1);
      i0[o] = lo;
      i1[o] = Math.min(lo + 1, in - 1);
      frac[o] = (float) (s - lo);
    }
  }

  /** Fills {top, left, height, width} of a crop box, as torchvision's get_params. */
  private void drawBox(int h, int w, RandomGenerator rng, int[] box) {
    double area = (double) h * w;
    double logMin = Math.log(minAspect);
    double logMax = Math.log(maxAspect);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double target = area * Images.uniform(rng, minScale, maxScale);
      double aspect = Math.exp(Images.uniform(rng, logMin, logMax));
      int cw = (int) Math.round(Math.sqrt(target * aspect));
      int ch = (int) Math.round(Math.sqrt(target / aspect));
      if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
        box[0] = rng.nextInt(h - ch + 1);
        box[1] = rng.nextInt(w - cw + 1);
        box[2] = ch;
        box[3] = cw;
        return;
      }
    }
    double ratio = (double) w / h;
    int cw;
    int ch;
    if (ratio < minAspect) {
      cw = w;
      ch = Math.max(1, Math.min(h, (int) Math.round(w / minAspect)));
    } else if (ratio > maxAspect) {
      ch = h;
      cw = Math.max(1, Math.min(w, (int) Math.round(h * maxAspect)));
    } else {
      cw = w;
      ch = h;
    }
    box[0] = (h - ch) / 2;
    box[1] = (w - cw) / 2;
    box[2] = ch;
    box[3] = cw;
  }
}
