package io.github.ssl4j.tasks.barlowtwins;

import io.github.ssl4j.tasks.twoview.PairedViewLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The Barlow Twins redundancy-reduction loss (Zbontar et al. 2021) for a DL4J {@code LossLayer}.
 *
 * <p><b>Input</b>: embeddings of the two views, shape [2N, d], N &gt;= 2, rows as {@link
 * PairedViewLoss} lays them out (view 1 of the N images in rows 0..N-1, view 2 in rows N..2N-1).
 *
 * <p><b>Loss</b>: each view's embeddings A, B [N, d] are normalised per dimension along the batch,
 * {@code â = (a - mean) / sqrt(var + 1e-5)} with the biased variance (a batch normalisation without
 * scale and shift, as PyTorch's {@code BatchNorm1d(affine=False)} in the authors' code); their
 * cross-correlation is {@code C = Â^T B̂ / N}, [d, d], and
 *
 * <pre>
 *   L = sum_i (1 - C_ii)^2  +  lambda * sum_{i != j} C_ij^2
 * </pre>
 *
 * 0 (up to the 1e-5 in the normalisation) when the two views' embeddings are perfectly correlated
 * dimension by dimension and the dimensions are decorrelated; {@code d} for a collapsed, constant
 * embedding (C = 0).
 */
public final class BarlowTwinsLoss extends PairedViewLoss {

  /** The paper's weight of the off-diagonal term, 5e-3 (for its 8192-d projector). */
  public static final double DEFAULT_LAMBDA = 5e-3;

  /** Added to each dimension's batch variance before dividing by its square root. */
  public static final double BATCH_NORM_EPSILON = 1e-5;

  @JsonProperty("lambda")
  private final double lambda;

  /** For JSON deserialisation only. */
  private BarlowTwinsLoss() {
    this.lambda = DEFAULT_LAMBDA;
  }

  private BarlowTwinsLoss(double lambda) {
    if (!(lambda >= 0) || !Double.isFinite(lambda)) {
      throw new IllegalArgumentException("Barlow Twins lambda must be finite and >= 0, got " + lambda
          + "; the paper uses " + DEFAULT_LAMBDA);
    }
    this.lambda = lambda;
  }

  /** The loss with the paper's lambda {@value #DEFAULT_LAMBDA}. */
  public static BarlowTwinsLoss withDefaults() {
    return new BarlowTwinsLoss(DEFAULT_LAMBDA);
  }

  /**
   * The loss with the given off-diagonal weight.
   *
   * @param lambda weight of the squared off-diagonal correlations, finite and &gt;= 0
   * @throws IllegalArgumentException if it is not
   */
  public static BarlowTwinsLoss withLambda(double lambda) {
    return new BarlowTwinsLoss(lambda);
  }

  /** The weight of the squared off-diagonal correlations. */
  public double lambda() {
    return lambda;
  }

  @Override
  protected String method() {
    return "Barlow Twins";
  }

  @Override
  protected int minimumImages() {
    return 2;
  }

  @Override
  protected double lossAndGradient(INDArray x, INDArray gradient) {
    long n = x.size(0) / 2;
    long d = x.size(1);
    Normalised a = Normalised.of(x.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()));
    Normalised b = Normalised.of(x.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all()));
    INDArray c = a.value().transpose().mmul(b.value()).divi(n); // [d, d]
    INDArray eye = Nd4j.eye(d).castTo(x.dataType());
    INDArray diff = c.sub(eye);
    // weights: 1 on the diagonal, lambda off it
    INDArray weighted = diff.mul(eye.mul(1 - lambda).addi(lambda));
    double loss = weighted.mul(diff).sumNumber().doubleValue();
    if (gradient != null) {
      INDArray g = weighted.muli(2); // dL/dC
      INDArray gradA = b.value().mmul(g.transpose()).divi(n); // dL/dÂ
      INDArray gradB = a.value().mmul(g).divi(n); // dL/dB̂
      gradient.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).assign(a.backward(gradA));
      gradient.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all()).assign(b.backward(gradB));
    }
    return loss;
  }

  /** One view normalised along the batch: the values [N, d] and the divisors [1, d]. */
  private record Normalised(INDArray value, INDArray std) {
    static Normalised of(INDArray v) {
      INDArray centred = v.subRowVector(v.mean(true, 0));
      INDArray std = Transforms.sqrt(centred.mul(centred).mean(true, 0).addi(BATCH_NORM_EPSILON), false);
      return new Normalised(centred.divRowVector(std), std);
    }

    /** dL/dv from dL/dv̂: (g - mean(g) - v̂ · mean(g ∘ v̂)) / std, column by column. */
    INDArray backward(INDArray g) {
      INDArray projection = value.mulRowVector(g.mul(value).mean(true, 0));
      return g.subRowVector(g.mean(true, 0)).subi(projection).diviRowVector(std);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BarlowTwinsLoss other && Double.compare(lambda, other.lambda) == 0;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(lambda);
  }

  @Override
  public String toString() {
    return "BarlowTwinsLoss[lambda=" + lambda + "]";
  }
}
