package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer normalisation over the feature dimension of sequence activations {@code [batch, d, T]}
 * (DL4J NCW): {@code y = gain * (x - mean) / sqrt(var + eps) + bias}, mean and (biased) variance
 * over the {@code d} features of each position, as PyTorch's {@code nn.LayerNorm(d)}. Gain starts
 * at 1, bias at 0. Positions are independent, so masks pass through unchanged; an all-zero padded
 * position gives {@code bias}, never NaN.
 *
 * <p>{@link #defineLayer} defines the layer; training runs a native implementation of the same
 * function with its backward pass written out (DL4J's SameDiff layer would run the graph forward
 * again inside every backward pass). Parameters and their layout are the SameDiff layer's.
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
  protected HalvedGradientLayer newRuntimeLayer(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  /**
   * Native forward and backward pass. Rows are the positions: X [batch·T, d]; x̂ = (X − mean) · s
   * with s = 1/sqrt(var + eps) per row; y = x̂ · gain + bias; backward dx = s · (g − mean(g) − x̂
   * · mean(g·x̂)) with g = dy · gain, dgain = Σ dy·x̂, dbias = Σ dy.
   */
  static final class Runtime extends NativeSequenceRuntime {
    private INDArray normalised;
    private INDArray inverseStd;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    protected INDArray forward(ArrayType kept, LayerWorkspaceMgr workspaceMgr) {
      LayerNormalization c = (LayerNormalization) layerConf();
      INDArray rows = rows(input, kept, workspaceMgr);
      long n = rows.size(0);
      rows.subiColumnVector(rows.mean(1).reshape(n, 1));
      INDArray s = workspaceMgr.createUninitialized(kept, dataType, new long[] {n, 1}, 'c');
      s.assign(rows.norm2(1).reshape(n, 1));
      s.muli(s).divi(c.size).addi(c.epsilon);
      Transforms.sqrt(s, false).rdivi(1.0);
      rows.muliColumnVector(s);
      INDArray y = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, rows.shape(), 'c');
      y.assign(rows).muliRowVector(getParam("gain")).addiRowVector(getParam("bias"));
      normalised = rows;
      inverseStd = s;
      return sequence(y, ArrayType.ACTIVATIONS, workspaceMgr);
    }

    @Override
    protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      INDArray dy = rows(epsilon, ArrayType.BP_WORKING_MEM, workspaceMgr);
      long n = dy.size(0);
      columnSumsInto(dy.mul(normalised), gradTable.get("gain"));
      columnSumsInto(dy, gradTable.get("bias"));
      // g = dy·gain, then dx, all in place in dy (dy itself is not needed any more)
      INDArray g = dy.muliRowVector(getParam("gain"));
      INDArray gx = g.mul(normalised).mean(1).reshape(n, 1);
      g.subiColumnVector(g.mean(1).reshape(n, 1));
      g.subi(normalised.mulColumnVector(gx)).muliColumnVector(inverseStd);
      return sequence(g, ArrayType.ACTIVATION_GRAD, workspaceMgr);
    }

    @Override
    protected void clearKept() {
      normalised = null;
      inverseStd = null;
    }
  }

  @Override
  public void validateInput(INDArray input) {
    if (input.rank() != 3 || input.size(1) != size) {
      throw new IllegalArgumentException("LayerNormalization(d=" + size + ") expects activations"
          + " [batch, " + size + ", T] (DL4J NCW) but got shape " + Arrays.toString(input.shape()));
    }
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
