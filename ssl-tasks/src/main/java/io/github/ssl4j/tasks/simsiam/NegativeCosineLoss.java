package io.github.ssl4j.tasks.simsiam;

import io.github.ssl4j.tasks.twoview.PairedViewLoss;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * SimSiam's symmetric negative cosine similarity between each view's prediction and the other
 * view's projection, for a DL4J {@code LossLayer}.
 *
 * <p><b>Input</b>: shape [2N, 2d], the predictions p (columns 0..d-1) and the targets z (columns
 * d..2d-1) side by side, rows as {@link PairedViewLoss} lays them out (row {@code i} view 1 of image
 * i, row {@code N + i} its view 2). The targets are the projections after a {@link
 * io.github.ssl4j.core.layers.StopGradient}; this loss itself differentiates both halves.
 *
 * <p><b>Loss</b>: with {@code u = v / sqrt(|v|^2 + 1e-12)} and {@code D(p, z) = -û·ẑ},
 *
 * <pre>
 *   L = (1/N) sum_i [ D(p_i, z_{N+i}) / 2 + D(p_{N+i}, z_i) / 2 ]
 * </pre>
 *
 * the mean over the 2N rows of minus the cosine between a row's prediction and the other view's
 * target; in [-1, 1], -1 when every prediction points along its target.
 */
public final class NegativeCosineLoss extends PairedViewLoss {

  /** Added to a squared norm before normalising, so a zero vector gives a zero unit vector. */
  public static final double NORM_EPSILON = 1e-12;

  /** The loss (also used by JSON deserialisation). */
  public NegativeCosineLoss() {}

  @Override
  protected String method() {
    return "SimSiam";
  }

  @Override
  protected void checkInput(INDArray x, INDArray labels) {
    super.checkInput(x, labels);
    if (x.size(1) % 2 != 0) {
      throw new IllegalArgumentException("SimSiam loss expects predictions and targets side by side, [2N, 2d],"
          + " got an odd width in shape " + Arrays.toString(x.shape())
          + "; merge the predictor output and the stopped projection (MergeVertex) before the loss");
    }
  }

  @Override
  protected double lossAndGradient(INDArray x, INDArray gradient) {
    long rows = x.size(0);
    long n = rows / 2;
    long d = x.size(1) / 2;
    INDArray p = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d));
    INDArray z = x.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d));
    INDArray target = otherView(z, n); // row r: the target of the other view of r's image
    INDArray pNorm = norms(p);
    INDArray tNorm = norms(target);
    INDArray pUnit = p.divColumnVector(pNorm);
    INDArray tUnit = target.divColumnVector(tNorm);
    INDArray cos = pUnit.mul(tUnit).sum(true, 1); // [2N, 1]
    double loss = -cos.sumNumber().doubleValue() / rows;
    if (gradient != null) {
      // d cos / dp = (t̂ - cos · p̂) / |p|, d cos / dt = (p̂ - cos · t̂) / |t|; L = -mean(cos)
      INDArray dp = tUnit.sub(pUnit.mulColumnVector(cos)).divColumnVector(pNorm).divi(-rows);
      INDArray dt = pUnit.sub(tUnit.mulColumnVector(cos)).divColumnVector(tNorm).divi(-rows);
      gradient.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).assign(dp);
      gradient.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d)).assign(otherView(dt, n));
    }
    return loss;
  }

  /** Rows N..2N-1 then rows 0..N-1: row r of the result is the other view of row r's image. */
  private static INDArray otherView(INDArray a, long n) {
    int[] rows = new int[(int) (2 * n)];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = (int) ((r + n) % (2 * n));
    }
    return Nd4j.pullRows(a, 1, rows);
  }

  /** sqrt(|row|^2 + eps), shape [rows, 1]. */
  private static INDArray norms(INDArray a) {
    return Transforms.sqrt(a.mul(a).sum(true, 1).addi(NORM_EPSILON), false);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NegativeCosineLoss;
  }

  @Override
  public int hashCode() {
    return NegativeCosineLoss.class.getName().hashCode();
  }

  @Override
  public String toString() {
    return "NegativeCosineLoss()";
  }
}
