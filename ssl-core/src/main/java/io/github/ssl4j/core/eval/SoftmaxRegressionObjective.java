package io.github.ssl4j.core.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Objective of multinomial logistic regression in double precision: mean softmax cross-entropy
 * over the n examples plus (l2/2)·|W|² (DL4J's L2 convention: the gradient gets l2·W; the bias is
 * not penalised).
 *
 * <p>Parameters are one {@code double[]} of length d·k + k: W [d, k] in row-major order, then b
 * [k]; that is also weights = [W; b] of shape [d + 1, k] in row-major order, so logits are X1·weights with
 * X1 = [X, 1] and the bias needs no separate pass. One evaluation is two GEMMs ([n,d+1]×[d+1,k] and
 * [d+1,n]×[n,k]) plus element-wise work on an [n, k] buffer allocated once. Not thread-safe.
 */
final class SoftmaxRegressionObjective implements Lbfgs.Objective {
  private final INDArray x1; // [n, d + 1] double: features, then a column of ones (bias)
  private final double[] labelSums; // (X1^T Y) row-major [d + 1, k]: per-class feature sums, counts
  private final double l2;
  private final int n;
  private final int d;
  private final int k;
  private final INDArray weights; // [d + 1, k]: W, then b as the last row = theta reshaped
  private final INDArray z; // [n, k] logits, then softmax probabilities
  private final INDArray grad1; // [d + 1, k]

  /**
   * @param x features [n, d]; copied to double (not modified)
   * @param oneHot labels [n, k]
   * @param l2 penalty, &gt;= 0
   */
  SoftmaxRegressionObjective(INDArray x, INDArray oneHot, double l2) {
    this.n = Math.toIntExact(x.size(0));
    this.d = Math.toIntExact(x.size(1));
    this.k = Math.toIntExact(oneHot.size(1));
    if (oneHot.size(0) != n) {
      throw new IllegalArgumentException(
          "features have " + n + " rows but labels " + oneHot.size(0) + "; pass matching rows");
    }
    this.l2 = l2;
    this.x1 = Nd4j.ones(DataType.DOUBLE, n, d + 1);
    x1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).assign(x.castTo(DataType.DOUBLE));
    INDArray y = oneHot.castTo(DataType.DOUBLE);
    INDArray sums = Nd4j.create(DataType.DOUBLE, d + 1, k);
    Nd4j.gemm(x1, y, sums, true, false, 1.0, 0.0);
    this.labelSums = sums.data().asDouble();
    this.weights = Nd4j.create(DataType.DOUBLE, d + 1, k);
    this.z = Nd4j.create(DataType.DOUBLE, n, k);
    this.grad1 = Nd4j.create(DataType.DOUBLE, d + 1, k);
  }

  /** Length of the parameter vector, d·k + k. */
  int numParameters() {
    return (d + 1) * k;
  }

  /**
   * Mean over examples of logsumexp(z_i) - z_i[y_i] with z = X·W + b, plus (l2/2)|W|². The label
   * term and its gradient come from the precomputed X^T·Y, so per call the [n, k] work is two GEMMs
   * and three element-wise calls (row max, fused softmax, row max of the probabilities).
   */
  @Override
  public double evaluate(double[] theta, double[] gradient) {
    if (theta.length != numParameters()) {
      throw new IllegalArgumentException(
          "parameter vector must have d*k+k = " + numParameters() + " values, got " + theta.length);
    }
    weights.assign(Nd4j.createFromArray(theta).reshape(d + 1, k));
    Nd4j.gemm(x1, weights, z, false, false, 1.0, 0.0);
    // Stable log-sum-exp per row from the (fused, max-shifted) softmax: the largest probability is
    // exp(0) / sum_j exp(z_j - max z) >= 1/k, so logsumexp(z) = max z - log(max p), no underflow.
    double sumRowMax = z.max(1).sumNumber().doubleValue();
    Nd4j.exec(new SoftMax(z, z, 1));
    INDArray maxProbability = z.max(1);
    double logSumExp = sumRowMax - Transforms.log(maxProbability, false).sumNumber().doubleValue();
    double labelLogits = 0;
    double wSq = 0;
    for (int i = 0; i < theta.length; i++) {
      labelLogits += labelSums[i] * theta[i];
    }
    for (int i = 0; i < d * k; i++) {
      wSq += theta[i] * theta[i];
    }
    double value = (logSumExp - labelLogits) / n + 0.5 * l2 * wSq;
    if (gradient != null) {
      // d/dz = (softmax - onehot) / n, so grad = (X1^T P - X1^T Y) / n (+ l2 W).
      Nd4j.gemm(x1, z, grad1, true, false, 1.0 / n, 0.0);
      double[] g = grad1.data().asDouble();
      for (int i = 0; i < g.length; i++) {
        gradient[i] = g[i] - labelSums[i] / n + (i < d * k ? l2 * theta[i] : 0.0);
      }
    }
    return value;
  }

  /** Value only. */
  double value(double[] theta) {
    return evaluate(theta, null);
  }

  /** Packs W [d, k] and b [k] (any shape with k values) into one parameter vector. */
  static double[] pack(INDArray weights, INDArray bias) {
    double[] wv = weights.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] bv = bias.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] theta = new double[wv.length + bv.length];
    System.arraycopy(wv, 0, theta, 0, wv.length);
    System.arraycopy(bv, 0, theta, wv.length, bv.length);
    return theta;
  }
}
