package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer normalisation over the feature dimension of sequence activations {@code [batch, d, T]}
 * (DL4J NCW): {@code y = gain * (x - mean) / sqrt(var + eps) + bias}, mean and (biased) variance
 * over the {@code d} features of each position, as PyTorch's {@code nn.LayerNorm(d)}. Gain starts
 * at 1, bias at 0. Positions are independent, so masks pass through unchanged; an all-zero padded
 * position gives {@code bias}, never NaN.
 */
public class LayerNormalization extends CorrectedSameDiffLayer {
  /** PyTorch's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-5;

  private long size;
  private double epsilon = DEFAULT_EPSILON;

  /** For JSON deserialisation. */
  protected LayerNormalization() {}

  /**
   * @param size number of features {@code d}, at least 1
   * @param epsilon added to the variance, greater than 0
   * @throws IllegalArgumentException when a value is out of range
   */
  public LayerNormalization(long size, double epsilon) {
    if (size < 1) {
      throw new IllegalArgumentException("LayerNormalization size must be at least 1 but was " + size
          + "; pass the feature dimension d of the [batch, d, T] input");
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("LayerNormalization epsilon must be > 0 but was " + epsilon
          + "; use " + DEFAULT_EPSILON + " (PyTorch's default)");
    }
    this.size = size;
    this.epsilon = epsilon;
  }

  /** @param size number of features {@code d}; epsilon {@value #DEFAULT_EPSILON} */
  public LayerNormalization(long size) {
    this(size, DEFAULT_EPSILON);
  }

  /** @return the feature dimension d */
  public long getSize() {
    return size;
  }

  /** @return the epsilon added to the variance */
  public double getEpsilon() {
    return epsilon;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    SDVariable mean = x.mean(true, 1);
    SDVariable centred = x.sub(mean);
    SDVariable var = centred.mul(centred).mean(true, 1);
    SDVariable normed = centred.div(sd.math().sqrt(var.add(epsilon)));
    SDVariable gain = sd.reshape(p.get("gain"), 1, size, 1);
    SDVariable bias = sd.reshape(p.get("bias"), 1, size, 1);
    return normed.mul(gain).add(bias);
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam("gain", 1, size);
    params.addBiasParam("bias", 1, size);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    params.get("gain").assign(1.0);
    params.get("bias").assign(0.0);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeRecurrent)) {
      throw new IllegalArgumentException("LayerNormalization expects recurrent input [batch, d, T] but got "
          + inputType + "; put it after an EmbeddingSequenceLayer or another sequence layer");
    }
    InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
    return InputType.recurrent(size, r.getTimeSeriesLength());
  }
}
