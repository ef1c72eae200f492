package io.github.ssl4j.tasks.byol;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * BYOL's normalised mean squared error as a DL4J loss function (use it in a {@code LossLayer}):
 * for a prediction row p and its target row z, {@code |p/|p| - z/|z||^2 = 2 - 2 cos(p, z)}.
 *
 * <p><b>Input</b> (pre-output): predictions, shape [rows, d]. <b>Labels</b>: targets, shape [rows,
 * d], constants (no gradient flows into them; BYOL's targets are the EMA network's projections).
 * Rows are normalised as {@code x / sqrt(|x|^2 + 1e-12)}, so a zero row gives a zero vector and a
 * loss of 2. <b>Mask</b>: optional, [rows, 1]; masked rows count 0.
 *
 * <p><b>Score</b>: {@code computeScore(.., average=false)} is the sum of {@code 2 - 2 cos} over
 * rows; DL4J divides it (and the gradient) by the row count, so {@code graph.score()} is the mean.
 * With both views' predictions stacked as rows, BYOL's symmetrised loss {@code L + L~} is twice
 * that mean. The gradient is written out in closed form: {@code d/dp = -(2/n_p) (z^ - p^ (p^ . z^))}
 * with {@code n_p = sqrt(|p|^2 + 1e-12)}.
 *
 * <p>Stateless and immutable.
 */
public final class ByolLoss implements ILossFunction {

  /** Added to the squared row norm before normalising. */
  public static final double NORM_EPSILON = 1e-12;

  /** The loss. */
  public ByolLoss() {}

  /** Rows divided by {@code sqrt(|row|^2 + 1e-12)}; a new array. */
  static INDArray normalizeRows(INDArray x) {
    INDArray norm = Transforms.sqrt(x.mul(x).sum(true, 1).addi(NORM_EPSILON), false);
    return x.divColumnVector(norm);
  }

  private static void check(INDArray labels, INDArray output) {
    if (labels == null || output.rank() != 2 || !Arrays.equals(labels.shape(), output.shape())) {
      throw new IllegalArgumentException(
          "BYOL loss needs predictions [rows, d] and targets of the same shape, got predictions "
              + Arrays.toString(output.shape()) + " and targets "
              + (labels == null ? "none" : Arrays.toString(labels.shape()))
              + "; the targets are the EMA network's projections, set by ByolTask's state before each step");
    }
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask) {
    INDArray p = activationFn.getActivation(preOutput.dup(), true);
    check(labels, p);
    INDArray cos = normalizeRows(p).muli(normalizeRows(labels.castTo(p.dataType()))).sum(true, 1);
    INDArray score = cos.muli(-2).addi(2);
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
    INDArray p = activationFn.getActivation(preOutput.dup(), true);
    check(labels, p);
    INDArray norm = Transforms.sqrt(p.mul(p).sum(true, 1).addi(NORM_EPSILON), false); // [R, 1]
    INDArray pHat = p.divColumnVector(norm);
    INDArray zHat = normalizeRows(labels.castTo(p.dataType()));
    INDArray cos = pHat.mul(zHat).sum(true, 1); // [R, 1]
    INDArray dLdp = zHat.subi(pHat.muliColumnVector(cos)).diviColumnVector(norm).muli(-2);
    if (mask != null) {
      dLdp.muliColumnVector(mask.castTo(dLdp.dataType()).reshape(norm.shape()));
    }
    return activationFn.backprop(preOutput.dup(), dLdp).getFirst();
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
      IActivation activationFn, INDArray mask, boolean average) {
    return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
        computeGradient(labels, preOutput, activationFn, mask));
  }

  @Override
  public String name() {
    return "ByolLoss";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByolLoss;
  }

  @Override
  public int hashCode() {
    return ByolLoss.class.hashCode();
  }

  @Override
  public String toString() {
    return "ByolLoss()";
  }
}
