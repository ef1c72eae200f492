package io.github.ssl4j.tasks.mae;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MAE's random masking: for each image independently, a uniformly random set of {@code visible}
 * of its N patches stays visible and the rest are masked (MAE's per-sample shuffle). Every image
 * keeps exactly the same number of visible patches, so the encoder's input has a fixed length.
 *
 * @param visible the visible patch indices {@code [batch, K]}, ascending within each row
 * @param masked 1 at the masked patches and 0 at the visible ones, {@code [batch, N]}
 */
public record PatchMasking(INDArray visible, INDArray masked) {

  /**
   * Number of visible patches for a masking ratio: {@code round(patches * (1 - ratio))}.
   *
   * @throws IllegalArgumentException unless it leaves at least one patch visible and one masked
   */
  public static int visibleCount(int patches, double ratio) {
    if (!(ratio > 0 && ratio < 1) || patches < 2) {
      throw new IllegalArgumentException("MAE masking needs a ratio in (0, 1) and at least 2 patches, got"
          + " ratio " + ratio + " and " + patches + " patches; MAE uses 0.75");
    }
    int k = (int) Math.round(patches * (1 - ratio));
    if (k < 1 || k >= patches) {
      throw new IllegalArgumentException("Masking ratio " + ratio + " of " + patches + " patches leaves "
          + k + " visible; it must leave between 1 and " + (patches - 1)
          + " visible: use a ratio closer to 0.5 or smaller patches");
    }
    return k;
  }

  /**
   * Draws a masking for each of {@code batch} images.
   *
   * @param batch number of images, &gt;= 1
   * @param patches N, &gt;= 2
   * @param visible K in [1, N)
   * @param dataType of both arrays (the graph's)
   * @param rng the only source of randomness; {@code batch * K} draws
   */
  public static PatchMasking sample(int batch, int patches, int visible, DataType dataType,
      RandomGenerator rng) {
    if (batch < 1 || visible < 1 || visible >= patches) {
      throw new IllegalArgumentException("PatchMasking needs batch >= 1 and 1 <= visible < patches, got batch "
          + batch + ", visible " + visible + ", patches " + patches);
    }
    double[] kept = new double[batch * visible];
    double[] masked = new double[batch * patches];
    int[] order = new int[patches];
    for (int i = 0; i < batch; i++) {
      for (int n = 0; n < patches; n++) {
        order[n] = n;
      }
      for (int j = 0; j < visible; j++) { // partial Fisher-Yates: the first K of a random permutation
        int r = j + rng.nextInt(patches - j);
        int t = order[j];
        order[j] = order[r];
        order[r] = t;
      }
      int[] chosen = Arrays.copyOf(order, visible);
      Arrays.sort(chosen);
      Arrays.fill(masked, i * patches, (i + 1) * patches, 1.0);
      for (int j = 0; j < visible; j++) {
        kept[i * visible + j] = chosen[j];
        masked[i * patches + chosen[j]] = 0;
      }
    }
    return new PatchMasking(Nd4j.create(kept, new long[] {batch, visible}, 'c').castTo(dataType),
        Nd4j.create(masked, new long[] {batch, patches}, 'c').castTo(dataType));
  }
}
