package io.github.ssl4j.core.data;

/**
 * Resize-and-centre-crop weights of one image axis: the source length is scaled so that the image
 * covers the target, then the middle {@code out} pixels are kept. Each output pixel is a normalised
 * triangle (bilinear) filter over the source pixels, widened by the reduction factor when
 * shrinking, so a large reduction averages every source pixel instead of skipping most of them
 * (the "antialiased" bilinear resize of Pillow). At scale 1 each output pixel is exactly its source
 * pixel.
 */
final class ImageResampler {
  /** First source pixel of each output pixel. */
  final int[] start;
  /** Number of source pixels each output pixel reads. */
  final int[] length;
  /** Weights, {@code maxLength} per output pixel, summing to 1. */
  final float[] weights;
  final int maxLength;

  /**
   * @param source source length in pixels, &gt; 0
   * @param resized length after scaling, &gt;= out
   * @param out length after the centre crop, &gt; 0
   */
  ImageResampler(int source, int resized, int out) {
    double scale = (double) resized / source;
    int offset = (resized - out) / 2;
    double support = scale < 1 ? 1 / scale : 1;
    int max = (int) Math.ceil(support) * 2 + 1;
    this.start = new int[out];
    this.length = new int[out];
    this.weights = new float[out * max];
    this.maxLength = max;
    double[] w = new double[max];
    for (int i = 0; i < out; i++) {
      double center = (i + offset + 0.5) / scale;
      int lo = Math.max(0, (int) Math.floor(center - support));
      int hi = Math.min(source, (int) Math.ceil(center + support));
      double sum = 0;
      int n = 0;
      for (int j = lo; j < hi && n < max; j++, n++) {
        double d = Math.abs(j + 0.5 - center) / support;
        w[n] = d < 1 ? 1 - d : 0;
        sum += w[n];
      }
      if (sum == 0) { // cannot happen for center inside the source; keep the nearest pixel
        lo = Math.min(source - 1, Math.max(0, (int) Math.floor(center)));
        n = 1;
        w[0] = 1;
        sum = 1;
      }
      start[i] = lo;
      length[i] = n;
      for (int k = 0; k < n; k++) {
        weights[i * max + k] = (float) (w[k] / sum);
      }
    }
  }

  /**
   * The scaled lengths {height, width} for a source of {@code h x w} covering a target of {@code th
   * x tw}: both sides scaled by {@code max(th / h, tw / w)} (the shorter side, relative to the
   * target, becomes the target's), rounded, and never below the target.
   */
  static int[] coverSize(int h, int w, int th, int tw) {
    double scale = Math.max((double) th / h, (double) tw / w);
    int rh = Math.max(th, (int) Math.round(h * scale));
    int rw = Math.max(tw, (int) Math.round(w * scale));
    return new int[] {rh, rw};
  }
}
