package io.github.ssl4j.core.dl4j;

import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * SameDiff building blocks that avoid ops broken in ND4J 1.0.0-M2.1 (B3 in
 * docs/development/dl4j-workarounds.md). Each is written
 * only with ops that gradient-check (sum/max along an axis, exp/log, sub/add/mul, cumsum, eq,
 * castTo).
 *
 * <ul>
 *   <li>{@code sd.math().logSumExp(x, dim)}: backward fails → {@link #logSumExp}.
 *   <li>{@code sd.nn().logSoftmax(x)}: failed in probes → {@link #logSoftmax}.
 *   <li>{@code sd.loss().softmaxCrossEntropy(...)}: gradient off by ~5e-2 → {@link
 *       #softmaxCrossEntropy}.
 *   <li>{@code sd.math().setDiag} / {@code MatrixSetDiag}: kills the JVM on the default native
 *       build (not tested for that reason) → {@link #diagonalMask}, {@link #fillDiagonal}.
 * </ul>
 */
public final class SameDiffOps {
  private SameDiffOps() {}

  /**
   * Numerically stable log(sum(exp(x))) along one axis: {@code m + log(sum(exp(x - m)))} with
   * {@code m} the maximum along that axis.
   *
   * @param x input, e.g. shape [batch, n]
   * @param dim axis to reduce
   * @return x's shape without {@code dim}, e.g. shape [batch] for dim 1
   */
  public static SDVariable logSumExp(SDVariable x, int dim) {
    Objects.requireNonNull(x, "x");
    SameDiff sd = x.getSameDiff();
    SDVariable shifted = x.sub(x.max(true, dim));
    return sd.math().log(sd.math().exp(shifted).sum(dim)).add(x.max(dim));
  }

  /** As {@link #logSumExp} but keeping {@code dim} with size 1 (e.g. [batch, 1]) for broadcasting. */
  public static SDVariable logSumExpKeepDims(SDVariable x, int dim) {
    Objects.requireNonNull(x, "x");
    SameDiff sd = x.getSameDiff();
    SDVariable m = x.max(true, dim);
    return sd.math().log(sd.math().exp(x.sub(m)).sum(true, dim)).add(m);
  }

  /**
   * log(softmax(x)) along {@code dim}, stable.
   *
   * @param x logits, e.g. shape [batch, n]
   * @return same shape as x
   */
  public static SDVariable logSoftmax(SDVariable x, int dim) {
    Objects.requireNonNull(x, "x");
    return x.sub(logSumExpKeepDims(x, dim));
  }

  /**
   * Per-example softmax cross-entropy {@code -sum(labels * logSoftmax(logits))} along axis 1.
   *
   * @param labels shape [batch, n]; one-hot or any distribution per row
   * @param logits shape [batch, n], pre-softmax
   * @return shape [batch]
   */
  public static SDVariable softmaxCrossEntropy(SDVariable labels, SDVariable logits) {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(logits, "logits");
    return labels.mul(logSoftmax(logits, 1)).sum(1).neg();
  }

  /**
   * 1 on the diagonal, 0 elsewhere, for a 2-d variable (square or not), built from {@code cumsum}
   * row/column indices and {@code eq}. Not differentiable (a constant mask).
   *
   * @param x shape [n, m]; only its shape and data type are used
   * @return shape [n, m], x's data type
   */
  public static SDVariable diagonalMask(SDVariable x) {
    Objects.requireNonNull(x, "x");
    SameDiff sd = x.getSameDiff();
    SDVariable ones = sd.onesLike(x);
    SDVariable rows = sd.cumsum(ones, 0);
    SDVariable cols = sd.cumsum(ones, 1);
    return sd.eq(rows, cols).castTo(x.dataType());
  }

  /**
   * x with its diagonal replaced by {@code value} (e.g. a large negative number to exclude
   * self-similarity from a softmax); the gradient through the diagonal is zero.
   *
   * @param x shape [n, m]
   * @param value the diagonal's value
   * @return shape [n, m]
   */
  public static SDVariable fillDiagonal(SDVariable x, double value) {
    Objects.requireNonNull(x, "x");
    SDVariable mask = diagonalMask(x);
    return x.mul(mask.rsub(1.0)).add(mask.mul(value));
  }
}
