package io.github.ssl4j.tasks.mae;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Images cut into the pixel vectors of their patches, MAE's reconstruction targets. Patch {@code n
 * = row * (width / patch) + column} (row-major, as {@link
 * io.github.ssl4j.core.encoders.VisionTransformer}'s tokens); within a patch, pixel {@code p = (c
 * * patch + u) * patch + v} for channel c, row u and column v of the patch.
 */
public final class PatchPixels {
  /** Added to the per-patch variance before the square root, as MAE's {@code norm_pix_loss}. */
  public static final double EPSILON = 1e-6;

  private PatchPixels() {}

  /**
   * The pixels of every patch.
   *
   * @param images {@code [batch, channels, height, width]}; not modified
   * @param patch patch side, dividing height and width
   * @return {@code [batch, channels * patch², N]}, a new array of the images' data type
   * @throws IllegalArgumentException if the images are not rank 4 or the patch does not divide them
   */
  public static INDArray of(INDArray images, int patch) {
    Objects.requireNonNull(images, "images");
    if (images.rank() != 4 || patch < 1 || images.size(2) % patch != 0 || images.size(3) % patch != 0) {
      throw new IllegalArgumentException("PatchPixels expects images [batch, channels, height, width]"
          + " with height and width divisible by the patch size " + patch + " but got shape "
          + Arrays.toString(images.shape()));
    }
    long b = images.size(0);
    long c = images.size(1);
    long gh = images.size(2) / patch;
    long gw = images.size(3) / patch;
    INDArray grid = images.dup('c').reshape('c', b, c, gh, patch, gw, patch)
        .permute(0, 2, 4, 1, 3, 5) // [b, gh, gw, c, u, v]
        .dup('c').reshape('c', b, gh * gw, c * patch * patch);
    return grid.permute(0, 2, 1).dup('c');
  }

  /**
   * Each patch's pixels minus their mean, divided by {@code sqrt(var + }{@link #EPSILON}{@code )}
   * with the unbiased variance over the patch's pixels (as MAE's {@code target.var(dim=-1)}).
   *
   * @param pixels {@code [batch, P, N]} from {@link #of}, P &gt;= 2; not modified
   * @return a new array of the same shape and type
   * @throws IllegalArgumentException if the shape is not {@code [batch, P >= 2, N]}
   */
  public static INDArray normalised(INDArray pixels) {
    Objects.requireNonNull(pixels, "pixels");
    if (pixels.rank() != 3 || pixels.size(1) < 2) {
      throw new IllegalArgumentException("PatchPixels.normalised expects [batch, P >= 2, N] but got shape "
          + Arrays.toString(pixels.shape()) + "; a patch of one pixel has no variance, use raw pixels");
    }
    long b = pixels.size(0);
    long p = pixels.size(1);
    long n = pixels.size(2);
    DataType dt = pixels.dataType();
    INDArray rows = pixels.permute(0, 2, 1).dup('c').reshape('c', b * n, p);
    INDArray centred = rows.subColumnVector(rows.mean(1).reshape(b * n, 1));
    INDArray variance = centred.mul(centred).sum(1).divi(p - 1).addi(EPSILON);
    INDArray out = centred.diviColumnVector(Transforms.sqrt(variance, false).reshape(b * n, 1));
    return out.reshape('c', b, n, p).permute(0, 2, 1).dup('c').castTo(dt);
  }
}
