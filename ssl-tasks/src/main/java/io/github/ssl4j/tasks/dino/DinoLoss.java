package io.github.ssl4j.tasks.dino;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DINO's self-distillation loss as a DL4J loss function (use it in a {@code LossLayer}): the
 * cross-entropy between the teacher's distribution and the student's softmax at temperature
 * {@code ts}.
 *
 * <p><b>Input</b> (pre-output): student logits s, shape [rows, K]. <b>Labels</b>: teacher
 * probabilities t, shape [rows, K], non-negative, each row summing to 1 (the centred and sharpened
 * teacher output, set by {@link DinoTask}'s state); constants. Per row:
 *
 * <pre>
 *   loss_i = - sum_k t_ik log softmax(s_i / ts)_k
 * </pre>
 *
 * computed stably (row maximum subtracted before {@code exp}); gradient {@code ((sum_k t_ik)
 * softmax(s_i / ts) - t_i) / ts}. <b>Score</b>: the sum over rows with {@code average=false};
 * DL4J divides by the row count. <b>Mask</b>: optional, [rows, 1].
 */
public final class DinoLoss implements ILossFunction {

  /** Default student temperature, 0.1 (DINO's). */
  public static final double DEFAULT_STUDENT_TEMPERATURE = 0.1;

  @JsonProperty("studentTemperature")
  private final double studentTemperature;

  /** For JSON deserialisation. */
  private DinoLoss() {
    this.studentTemperature = DEFAULT_STUDENT_TEMPERATURE;
  }

  /**
   * @param studentTemperature finite, &gt; 0
   * @throws IllegalArgumentException otherwise
   */
  public DinoLoss(double studentTemperature) {
    if (!(studentTemperature > 0) || !Double.isFinite(studentTemperature)) {
      throw new IllegalArgumentException(
          "DINO student temperature must be finite and > 0, got " + studentTemperature + "; DINO uses 0.1");
    }
    this.studentTemperature = studentTemperature;
  }

  /** The student temperature. */
  public double studentTemperature() {
    return studentTemperature;
  }

  private static void check(INDArray labels, INDArray s) {
    if (labels == null || s.rank() != 2 || !Arrays.equals(labels.shape(), s.shape())) {
      throw new IllegalArgumentException(
          "DINO loss needs student logits [rows, K] and teacher probabilities of the same shape, got "
              + Arrays.toString(s.shape()) + " and "
              + (labels == null ? "none" : Arrays.toString(labels.shape()))
              + "; the teacher's probabilities are set by DinoTask's state before each step");
    }
  }

  /** log softmax(s / ts) per row. */
  private INDArray logSoftmax(INDArray s) {
    INDArray z = s.div(studentTemperature);
    INDArray max = z.max(true, 1);
    z.subiColumnVector(max);
    INDArray logSum = Transforms.log(Transforms.exp(z, true).sum(true, 1), false);
    return z.subiColumnVector(logSum);
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask) {
    INDArray s = activationFn.getActivation(preOutput.dup(), true);
    check(labels, s);
    INDArray score = logSoftmax(s).muli(labels.castTo(s.dataType())).sum(true, 1).negi();
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
    INDArray s = activationFn.getActivation(preOutput.dup(), true);
    check(labels, s);
    INDArray t = labels.castTo(s.dataType());
    INDArray softmax = Transforms.exp(logSoftmax(s), false);
    INDArray grad = softmax.muliColumnVector(t.sum(true, 1)).subi(t).divi(studentTemperature);
    if (mask != null) {
      grad.muliColumnVector(mask.castTo(grad.dataType()).reshape(grad.size(0), 1));
    }
    return activationFn.backprop(preOutput.dup(), grad).getFirst();
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
      IActivation activationFn, INDArray mask, boolean average) {
    return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
        computeGradient(labels, preOutput, activationFn, mask));
  }

  @Override
  public String name() {
    return "DinoLoss";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DinoLoss other
        && Double.compare(studentTemperature, other.studentTemperature) == 0;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(studentTemperature);
  }

  @Override
  public String toString() {
    return "DinoLoss[studentTemperature=" + studentTemperature + "]";
  }
}
