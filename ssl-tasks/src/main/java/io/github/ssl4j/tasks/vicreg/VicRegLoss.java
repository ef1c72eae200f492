package io.github.ssl4j.tasks.vicreg;

import io.github.ssl4j.tasks.twoview.PairedViewLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The VICReg loss (Bardes, Ponce, LeCun 2022) for a DL4J {@code LossLayer}: invariance, variance and
 * covariance terms, weighted.
 *
 * <p><b>Input</b>: embeddings of the two views, shape [2N, d], N &gt;= 2, rows as {@link
 * PairedViewLoss} lays them out (view 1 of the N images in rows 0..N-1, view 2 in rows N..2N-1).
 *
 * <p><b>Loss</b>, for the views' embeddings A, B [N, d] (as the authors' code computes it):
 *
 * <pre>
 *   invariance  s = (1 / (N d)) sum_{n,j} (A_nj - B_nj)^2                       (mean squared error)
 *   variance    v = (1/2) mean_j max(0, 1 - sqrt(Var(A_j) + 1e-4))  + the same for B
 *   covariance  c = (1/d) sum_{i != j} Cov(A)_ij^2                            + the same for B
 *   L = invarianceWeight * s + varianceWeight * v + covarianceWeight * c
 * </pre>
 *
 * with the unbiased variance and covariance over the N images ({@code Cov(A) = Ā^T Ā / (N - 1)}, Ā
 * centred). The variance term is 0 when every dimension's standard deviation is at least 1; a
 * collapsed, constant embedding scores {@code varianceWeight * (1 - sqrt(1e-4))}. Defaults 25, 25,
 * 1 (the paper's).
 */
public final class VicRegLoss extends PairedViewLoss {

  /** The paper's weight of the invariance term, 25. */
  public static final double DEFAULT_INVARIANCE_WEIGHT = 25;

  /** The paper's weight of the variance term, 25. */
  public static final double DEFAULT_VARIANCE_WEIGHT = 25;

  /** The paper's weight of the covariance term, 1. */
  public static final double DEFAULT_COVARIANCE_WEIGHT = 1;

  /** Added to each dimension's variance before its square root, 1e-4. */
  public static final double VARIANCE_EPSILON = 1e-4;

  /** The standard deviation below which the variance hinge is active, 1. */
  public static final double TARGET_STD = 1;

  @JsonProperty("invarianceWeight")
  private final double invarianceWeight;

  @JsonProperty("varianceWeight")
  private final double varianceWeight;

  @JsonProperty("covarianceWeight")
  private final double covarianceWeight;

  /** For JSON deserialisation only. */
  private VicRegLoss() {
    this(DEFAULT_INVARIANCE_WEIGHT, DEFAULT_VARIANCE_WEIGHT, DEFAULT_COVARIANCE_WEIGHT);
  }

  private VicRegLoss(double invarianceWeight, double varianceWeight, double covarianceWeight) {
    this.invarianceWeight = checkWeight("invariance", invarianceWeight, DEFAULT_INVARIANCE_WEIGHT);
    this.varianceWeight = checkWeight("variance", varianceWeight, DEFAULT_VARIANCE_WEIGHT);
    this.covarianceWeight = checkWeight("covariance", covarianceWeight, DEFAULT_COVARIANCE_WEIGHT);
  }

  private static double checkWeight(String term, double weight, double paper) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("VICReg " + term + " weight must be finite and >= 0, got " + weight
          + "; the paper uses " + paper);
    }
    return weight;
  }

  /** The loss with the paper's weights 25, 25, 1. */
  public static VicRegLoss withDefaults() {
    return new VicRegLoss();
  }

  /**
   * The loss with the given weights.
   *
   * @throws IllegalArgumentException if a weight is negative or not finite
   */
  public static VicRegLoss withWeights(double invarianceWeight, double varianceWeight, double covarianceWeight) {
    return new VicRegLoss(invarianceWeight, varianceWeight, covarianceWeight);
  }

  /** Weight of the invariance (mean squared error) term. */
  public double invarianceWeight() {
    return invarianceWeight;
  }

  /** Weight of the variance (standard-deviation hinge) term. */
  public double varianceWeight() {
    return varianceWeight;
  }

  /** Weight of the covariance (squared off-diagonal covariance) term. */
  public double covarianceWeight() {
    return covarianceWeight;
  }

  @Override
  protected String method() {
    return "VICReg";
  }

  @Override
  protected int minimumImages() {
    return 2;
  }

  @Override
  protected double lossAndGradient(INDArray x, INDArray gradient) {
    long n = x.size(0) / 2;
    long d = x.size(1);
    INDArray a = x.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
    INDArray b = x.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all());
    INDArray diff = a.sub(b);
    double invariance = diff.mul(diff).sumNumber().doubleValue() / (n * d);
    double loss = invarianceWeight * invariance;
    INDArray dInvariance = gradient == null ? null : diff.muli(2.0 * invarianceWeight / (n * d));
    loss += regulariser(a, gradient == null ? null : gradient.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()));
    loss += regulariser(b, gradient == null ? null : gradient.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all()));
    if (gradient != null) {
      gradient.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).addi(dInvariance);
      gradient.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all()).subi(dInvariance);
    }
    return loss;
  }

  /**
   * The weighted variance and covariance terms of one view's embeddings v [N, d]; adds their
   * gradient to {@code gradient} when it is not null.
   */
  private double regulariser(INDArray v, INDArray gradient) {
    long n = v.size(0);
    long d = v.size(1);
    INDArray centred = v.subRowVector(v.mean(true, 0));
    INDArray std = Transforms.sqrt(centred.mul(centred).sum(true, 0).divi(n - 1).addi(VARIANCE_EPSILON), false);
    INDArray hinge = std.rsub(TARGET_STD); // [1, d]
    INDArray active = hinge.gt(0).castTo(v.dataType()); // 1 where the hinge is on
    double variance = hinge.mul(active).sumNumber().doubleValue() / (2.0 * d);
    INDArray cov = centred.transpose().mmul(centred).divi(n - 1); // [d, d]
    INDArray offDiagonal = cov.mul(Nd4j.eye(d).castTo(v.dataType()).rsubi(1));
    double covariance = offDiagonal.mul(offDiagonal).sumNumber().doubleValue() / d;
    if (gradient != null) {
      // d v / d v_nj = -[std_j < 1] centred_nj / (2 d std_j (N - 1))
      INDArray dVariance = centred.mulRowVector(active.div(std)).muli(-varianceWeight / (2.0 * d * (n - 1)));
      // d c / d v = 4 centred · offDiagonal / (d (N - 1)); centring passes it unchanged (its columns sum to 0)
      INDArray dCovariance = centred.mmul(offDiagonal).muli(4.0 * covarianceWeight / (d * (n - 1)));
      gradient.addi(dVariance).addi(dCovariance);
    }
    return varianceWeight * variance + covarianceWeight * covariance;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VicRegLoss other
        && Double.compare(invarianceWeight, other.invarianceWeight) == 0
        && Double.compare(varianceWeight, other.varianceWeight) == 0
        && Double.compare(covarianceWeight, other.covarianceWeight) == 0;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(invarianceWeight, varianceWeight, covarianceWeight);
  }

  @Override
  public String toString() {
    return "VicRegLoss[invarianceWeight=" + invarianceWeight + ", varianceWeight=" + varianceWeight
        + ", covarianceWeight=" + covarianceWeight + "]";
  }
}
