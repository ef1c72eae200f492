package io.github.ssl4j.tasks.moco;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * MoCo's InfoNCE loss as a DL4J loss function (use it in a {@code LossLayer}): each query is
 * classified against its positive key and a queue of negative keys.
 *
 * <p><b>Input</b> (pre-output): queries q, shape [N, d]. <b>Labels</b>: positive keys k, shape [N,
 * d], constants (the momentum encoder's output for the other view). <b>Negatives</b>: the queue,
 * shape [K, d], set with {@link #negatives(INDArray)} before each step (by {@link MocoTask}'s state);
 * it is runtime input, not configuration, and is used as given (the queue holds unit-length keys).
 * Queries and positive keys are normalised as {@code x / sqrt(|x|^2 + 1e-12)}. For query i:
 *
 * <pre>
 *   l_pos = q^_i . k^_i / t,   l_neg_j = q^_i . n_j / t,
 *   loss_i = log(exp(l_pos) + sum_j exp(l_neg_j)) - l_pos
 * </pre>
 *
 * computed stably (the row maximum is subtracted before {@code exp}). The gradient is written out:
 * with softmax weights {@code a_pos, a_j} of the K+1 logits, {@code g = ((a_pos - 1) k^_i + sum_j
 * a_j n_j) / t} and {@code d loss_i / d q_i = (g - q^_i (q^_i . g)) / sqrt(|q_i|^2 + 1e-12)}.
 *
 * <p><b>Score</b>: the sum over queries with {@code average=false}; DL4J divides by N, so {@code
 * graph.score()} is the mean. <b>Mask</b>: optional, [N, 1]; masked queries count 0.
 *
 * <p>The score and gradient throw {@link IllegalStateException} if no negatives were set.
 */
public final class MocoLoss implements ILossFunction {

  /** Default temperature, 0.2 (MoCo v2). */
  public static final double DEFAULT_TEMPERATURE = 0.2;

  /** Added to the squared row norm before normalising. */
  public static final double NORM_EPSILON = 1e-12;

  @JsonProperty("temperature")
  private final double temperature;

  @JsonIgnore private transient INDArray negatives;

  /** For JSON deserialisation. */
  private MocoLoss() {
    this.temperature = DEFAULT_TEMPERATURE;
  }

  /**
   * @param temperature finite, &gt; 0
   * @throws IllegalArgumentException otherwise
   */
  public MocoLoss(double temperature) {
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException(
          "MoCo temperature must be finite and > 0, got " + temperature + "; MoCo v2 uses 0.2");
    }
    this.temperature = temperature;
  }

  /** The temperature dividing the cosine similarities. */
  public double temperature() {
    return temperature;
  }

  /**
   * Sets the negatives of the following score and gradient computations.
   *
   * @param queue unit-length negative keys, shape [K, d], K &gt;= 1; kept by reference
   */
  public void negatives(INDArray queue) {
    if (queue == null || queue.rank() != 2 || queue.size(0) < 1) {
      throw new IllegalArgumentException(
          "MoCo negatives must be a queue of keys [K, d] with K >= 1, got "
              + (queue == null ? "null" : Arrays.toString(queue.shape())));
    }
    this.negatives = queue;
  }

  /** The negatives set last, or null. */
  public INDArray negatives() {
    return negatives;
  }

  private static INDArray norms(INDArray x) {
    return Transforms.sqrt(x.mul(x).sum(true, 1).addi(NORM_EPSILON), false);
  }

  /** Logits [N, 1 + K] (positive first), its row max, and the normalised q and k. */
  private record Forward(INDArray logits, INDArray rowMax, INDArray qHat, INDArray kHat,
      INDArray qNorm, INDArray queue) {}

  private Forward forward(INDArray labels, INDArray q) {
    if (negatives == null) {
      throw new IllegalStateException(
          "MoCo loss has no negatives: the queue is set before each step by MocoTask's state;"
              + " train with Trainer (or call MocoLoss.negatives(queue) first)");
    }
    if (labels == null || q.rank() != 2 || !Arrays.equals(labels.shape(), q.shape())
        || negatives.size(1) != q.size(1)) {
      throw new IllegalArgumentException(
          "MoCo loss needs queries [N, d], positive keys of the same shape and negatives [K, d], got"
              + " queries " + Arrays.toString(q.shape()) + ", keys "
              + (labels == null ? "none" : Arrays.toString(labels.shape())) + ", negatives "
              + Arrays.toString(negatives.shape()));
    }
    INDArray queue = negatives.castTo(q.dataType());
    INDArray qNorm = norms(q);
    INDArray qHat = q.divColumnVector(qNorm);
    INDArray k = labels.castTo(q.dataType());
    INDArray kHat = k.divColumnVector(norms(k));
    INDArray pos = qHat.mul(kHat).sum(true, 1);
    INDArray neg = qHat.mmul(queue.transpose());
    INDArray logits = org.nd4j.linalg.factory.Nd4j.hstack(pos, neg).divi(temperature);
    return new Forward(logits, logits.max(true, 1), qHat, kHat, qNorm, queue);
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask) {
    INDArray q = activationFn.getActivation(preOutput.dup(), true);
    Forward f = forward(labels, q);
    INDArray sumExp = Transforms.exp(f.logits().subColumnVector(f.rowMax()), false).sum(true, 1);
    INDArray score = Transforms.log(sumExp, false).addi(f.rowMax())
        .subi(f.logits().getColumn(0, true));
    if (mask != null) {
      score.muli(mask.castTo(score.dataType()).reshape(score.shape()));
    }
    return score;
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask, boolean average) {
    double sum = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
    return average ? sum / preOutput.size(0) : sum;
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask) {
    INDArray q = activationFn.getActivation(preOutput.dup(), true);
    Forward f = forward(labels, q);
    INDArray weights = Transforms.exp(f.logits().subColumnVector(f.rowMax()), false);
    weights.diviColumnVector(weights.sum(true, 1)); // softmax over [pos, negatives]
    long k = f.queue().size(0);
    INDArray aPos = weights.getColumn(0, true).sub(1.0); // [N, 1]
    INDArray aNeg = weights.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 1 + k));
    INDArray g = aNeg.mmul(f.queue()).addi(f.kHat().mulColumnVector(aPos)).divi(temperature);
    INDArray along = f.qHat().mul(g).sum(true, 1);
    INDArray dLdq = g.subi(f.qHat().mulColumnVector(along)).diviColumnVector(f.qNorm());
    if (mask != null) {
      dLdq.muliColumnVector(mask.castTo(dLdq.dataType()).reshape(along.shape()));
    }
    return activationFn.backprop(preOutput.dup(), dLdq).getFirst();
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
      IActivation activationFn, INDArray mask, boolean average) {
    return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
        computeGradient(labels, preOutput, activationFn, mask));
  }

  @Override
  public String name() {
    return "MocoLoss";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MocoLoss other && Double.compare(temperature, other.temperature) == 0;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(temperature);
  }

  @Override
  public String toString() {
    return "MocoLoss[temperature=" + temperature + "]";
  }
}
