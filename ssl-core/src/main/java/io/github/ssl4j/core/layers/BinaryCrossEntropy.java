package io.github.ssl4j.core.layers;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Binary cross-entropy, {@code −y·log p − (1−y)·log(1−p)} summed over outputs, computed from the
 * logits when the layer's activation is the sigmoid (as PyTorch's {@code BCEWithLogitsLoss}).
 *
 * <p>With {@code p = sigmoid(z)}, the loss per output is {@code max(z, 0) − z·y + log(1 + e^−|z|)},
 * finite for any {@code z}, and its gradient with respect to {@code z} is {@code p − y}: two
 * passes over the outputs instead of DL4J's {@link LossBinaryXENT}, which applies the sigmoid, clips
 * {@code p} to {@code [1e-5, 1 − 1e-5]} and divides by {@code p(1−p)}; the clipping also shrinks
 * the gradient of a confidently wrong output ({@code y = 1}, {@code p < 1e-5}) towards zero,
 * which this loss does not. Labels in {@code [0, 1]}; a mask (per example or per output) zeroes
 * masked outputs in the score and the gradient. Any other activation takes {@link LossBinaryXENT}'s
 * path. Use it as the loss function of an output or loss layer.
 *
 * <p>No subnormal number enters or leaves these passes: {@code log(1 + e^−|z|)} is computed with
 * {@code |z|} capped at {@value #EXP_CAP} (the result is the same, 0 in float and double), and a
 * gradient {@code p} whose magnitude is below the data type's smallest normal number (for
 * {@code z} below about −87 in float) is 0: products that read subnormal values run several
 * times slower on CPUs that handle them in microcode.
 */
public final class BinaryCrossEntropy implements ILossFunction {
  /**
   * {@code |z|} above this gives {@code log(1 + e^−|z|) = 0} in float and double alike, while
   * {@code e^−|z|} is still a normal float.
   */
  static final double EXP_CAP = 80;
  private static final LossBinaryXENT OTHER_ACTIVATIONS = new LossBinaryXENT();

  /** The loss; it has no settings. */
  public BinaryCrossEntropy() {}

  private static void checkShapes(INDArray labels, INDArray preOutput) {
    if (!labels.equalShapes(preOutput)) {
      throw new IllegalArgumentException("BinaryCrossEntropy needs labels of the output's shape "
          + Arrays.toString(preOutput.shape()) + ", got " + Arrays.toString(labels.shape())
          + "; give one label in [0, 1] per output");
    }
  }

  /** Per-output loss from logits {@code z}, masked: a new array. */
  private static INDArray perOutput(INDArray labels, INDArray z, INDArray mask) {
    INDArray y = labels.castTo(z.dataType());
    INDArray loss = Transforms.min(Transforms.abs(z, true), EXP_CAP, false).negi();
    Transforms.exp(loss, false);
    Transforms.log(loss.addi(1.0), false);
    loss.addi(Transforms.relu(z, true)).subi(z.mul(y));
    if (mask != null) {
      LossUtil.applyMask(loss, mask);
    }
    return loss;
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask) {
    if (!(activationFn instanceof ActivationSigmoid)) {
      return OTHER_ACTIVATIONS.computeScoreArray(labels, preOutput, activationFn, mask);
    }
    checkShapes(labels, preOutput);
    return perOutput(labels, preOutput, mask).sum(true, 1);
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
      boolean average) {
    if (!(activationFn instanceof ActivationSigmoid)) {
      return OTHER_ACTIVATIONS.computeScore(labels, preOutput, activationFn, mask, average);
    }
    checkShapes(labels, preOutput);
    double score = perOutput(labels, preOutput, mask).sumNumber().doubleValue();
    return average ? score / preOutput.size(0) : score;
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    if (!(activationFn instanceof ActivationSigmoid)) {
      return OTHER_ACTIVATIONS.computeGradient(labels, preOutput, activationFn, mask);
    }
    checkShapes(labels, preOutput);
    INDArray p = Transforms.sigmoid(preOutput, true);
    double smallestNormal = p.dataType() == DataType.DOUBLE ? Double.MIN_NORMAL : Float.MIN_NORMAL;
    BooleanIndexing.replaceWhere(p, 0.0, Conditions.absLessThan(smallestNormal));
    INDArray gradient = p.subi(labels.castTo(preOutput.dataType()));
    if (mask != null) {
      LossUtil.applyMask(gradient, mask);
    }
    return gradient;
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
      IActivation activationFn, INDArray mask, boolean average) {
    return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
        computeGradient(labels, preOutput, activationFn, mask));
  }

  @Override
  public String name() {
    return toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BinaryCrossEntropy;
  }

  @Override
  public int hashCode() {
    return BinaryCrossEntropy.class.hashCode();
  }

  @Override
  public String toString() {
    return "BinaryCrossEntropy()";
  }
}
