package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The transformer's position-wise feed-forward network on sequence activations {@code [batch, d,
 * T]} (DL4J NCW): {@code y = GELU(x W1 + b1) W2 + b2} at every position, widths d → hidden → d
 * (W3: 128 → 512 → 128). GELU is the tanh form {@code 0.5 h (1 + tanh(sqrt(2/pi) (h + 0.044715
 * h^3)))} (within 1e-3 of the exact erf form PyTorch uses by default; built from ops that
 * gradient-check in ND4J M2.1). Weights Xavier-uniform, biases 0. Positions are independent, so
 * masks pass through unchanged.
 */
public class PositionwiseFeedForward extends CorrectedSameDiffLayer {
  /** First weight matrix, [d, hidden]. */
  public static final String W1 = "W1";
  /** First bias, [1, hidden]. */
  public static final String B1 = "b1";
  /** Second weight matrix, [hidden, d]. */
  public static final String W2 = "W2";
  /** Second bias, [1, d]. */
  public static final String B2 = "b2";

  @JsonProperty
  private long size;
  @JsonProperty
  private long hidden;

  /** For JSON deserialisation. */
  protected PositionwiseFeedForward() {}

  /**
   * @param size model width d, at least 1
   * @param hidden hidden width, at least 1 (usually 4d)
   * @throws IllegalArgumentException when a value is out of range
   */
  public PositionwiseFeedForward(long size, long hidden) {
    if (size < 1 || hidden < 1) {
      throw new IllegalArgumentException("PositionwiseFeedForward sizes must be at least 1 but were d="
          + size + ", hidden=" + hidden + "; W3 uses d=128, hidden=512");
    }
    this.size = size;
    this.hidden = hidden;
  }

  /** @return the model width d */
  public long getSize() {
    return size;
  }

  /** @return the hidden width */
  public long getHidden() {
    return hidden;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    long steps = x.getShape()[2];
    SDVariable rows = x.permute(0, 2, 1).reshape(-1, size); // [batch*T, d]
    SDVariable h = rows.mmul(p.get(W1)).add(p.get(B1));
    SDVariable out = gelu(sd, h).mmul(p.get(W2)).add(p.get(B2));
    return out.reshape(-1, steps, size).permute(0, 2, 1);
  }

  /** GELU, tanh form. */
  static SDVariable gelu(SameDiff sd, SDVariable h) {
    SDVariable inner = h.add(h.mul(h).mul(h).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return h.mul(sd.math().tanh(inner).add(1.0)).mul(0.5);
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(W1, size, hidden);
    params.addWeightParam(W2, hidden, size);
    params.addBiasParam(B1, 1, hidden);
    params.addBiasParam(B2, 1, size);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    initWeights((int) size, (int) hidden, WeightInit.XAVIER_UNIFORM, params.get(W1));
    initWeights((int) hidden, (int) size, WeightInit.XAVIER_UNIFORM, params.get(W2));
    params.get(B1).assign(0);
    params.get(B2).assign(0);
  }

  @Override
  public void validateInput(INDArray input) {
    if (input.rank() != 3 || input.size(1) != size) {
      throw new IllegalArgumentException("PositionwiseFeedForward(d=" + size + ") expects activations [batch, "
          + size + ", T] (DL4J NCW) but got shape " + Arrays.toString(input.shape()));
    }
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeRecurrent r) || r.getSize() != size
        || r.getFormat() != RNNFormat.NCW) {
      throw new IllegalArgumentException("PositionwiseFeedForward (layer " + layerIndex + ") expects input"
          + " type recurrent(" + size + ") in NCW format but got " + inputType);
    }
    return InputType.recurrent(size, r.getTimeSeriesLength());
  }

  @Override
  public String toString() {
    return "PositionwiseFeedForward[" + size + " -> " + hidden + " -> " + size + ", GELU]";
  }
}
