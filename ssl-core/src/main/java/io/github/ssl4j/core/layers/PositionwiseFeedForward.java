package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The transformer's position-wise feed-forward network on sequence activations {@code [batch, d,
 * T]} (DL4J NCW): {@code y = GELU(x W_in + b_in) W_out + b_out} at every position, widths d → hidden → d
 * (e.g. 128 → 512 → 128). GELU is the tanh form {@code 0.5 h (1 + tanh(sqrt(2/pi) (h + 0.044715
 * h^3)))} (within 1e-3 of the exact erf form PyTorch uses by default; built from ops that
 * gradient-check in ND4J M2.1). Weights Xavier-uniform, biases 0. Positions are independent, so
 * masks pass through unchanged.
 *
 * <p>The graph in {@link #defineLayer} defines the layer; training runs a native implementation
 * of the same function ({@link Runtime}: two GEMMs and the GELU as in-place ND4J ops, with the
 * backward pass written out), because DL4J's SameDiff layer runs the whole graph forward again
 * inside every backward pass and allocates a fresh array for each of its ~50 ops. Parameters and
 * their layout are those of the SameDiff layer, so saved models load unchanged.
 */
public class PositionwiseFeedForward extends CorrectedSameDiffLayer {
  /** First weight matrix, [d, hidden]. */
  public static final String W_IN = "Win";
  /** First bias, [1, hidden]. */
  public static final String B_IN = "bin";
  /** Second weight matrix, [hidden, d]. */
  public static final String W_OUT = "Wout";
  /** Second bias, [1, d]. */
  public static final String B_OUT = "bout";

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
          + size + ", hidden=" + hidden + "; e.g. d=128, hidden=512");
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
    SDVariable h = rows.mmul(p.get(W_IN)).add(p.get(B_IN));
    SDVariable out = gelu(sd, h).mmul(p.get(W_OUT)).add(p.get(B_OUT));
    return out.reshape(-1, steps, size).permute(0, 2, 1);
  }

  /** GELU, tanh form. */
  static SDVariable gelu(SameDiff sd, SDVariable h) {
    SDVariable inner = h.add(h.mul(h).mul(h).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return h.mul(sd.math().tanh(inner).add(1.0)).mul(0.5);
  }

  @Override
  protected HalvedGradientLayer newRuntimeLayer(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  /**
   * Native forward and backward pass. Rows are the positions: X [batch·T, d]; H = X W_in + b_in; G =
   * GELU(H); Y = G W_out + b_out.
   */
  static final class Runtime extends NativeSequenceRuntime {
    private static final double C = Math.sqrt(2 / Math.PI);
    private static final double A = 0.044715;
    /** Kept from the training forward pass for the backward pass: X, H, tanh(u) and G. */
    private INDArray rows;
    private INDArray pre;
    private INDArray tanh;
    private INDArray act;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    protected INDArray forward(ArrayType kept, LayerWorkspaceMgr workspaceMgr) {
      PositionwiseFeedForward c = (PositionwiseFeedForward) layerConf();
      INDArray x = rows(input, kept, workspaceMgr);
      long n = x.size(0);
      INDArray h = workspaceMgr.createUninitialized(kept, dataType, new long[] {n, c.hidden}, 'c');
      Nd4j.gemm(x, getParam(W_IN), h, false, false, 1.0, 0.0).addiRowVector(getParam(B_IN));
      // t = tanh(C·h·(1 + A·h²)); g = 0.5·h·(1 + t)
      INDArray t = workspaceMgr.createUninitialized(kept, dataType, h.shape(), 'c');
      t.assign(h).muli(h).muli(A).addi(1.0).muli(h).muli(C);
      Transforms.tanh(t, false);
      INDArray g = workspaceMgr.createUninitialized(kept, dataType, h.shape(), 'c');
      g.assign(t).addi(1.0).muli(h).muli(0.5);
      INDArray y = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType,
          new long[] {n, c.size}, 'c');
      Nd4j.gemm(g, getParam(W_OUT), y, false, false, 1.0, 0.0).addiRowVector(getParam(B_OUT));
      rows = x;
      pre = h;
      tanh = t;
      act = g;
      return sequence(y, ArrayType.ACTIVATIONS, workspaceMgr);
    }

    @Override
    protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      INDArray dy = rows(epsilon, ArrayType.BP_WORKING_MEM, workspaceMgr);
      Nd4j.gemm(act, dy, gradTable.get(W_OUT), true, false, 1.0, 0.0);
      columnSumsInto(dy, gradTable.get(B_OUT));
      INDArray dh = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, pre.shape(), 'c');
      Nd4j.gemm(dy, getParam(W_OUT), dh, false, true, 1.0, 0.0); // dG
      // GELU'(h) = 0.5(1 + t) + 0.5·h·(1 − t²)·C·(1 + 3A·h²)
      INDArray d = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, pre.shape(), 'c');
      d.assign(pre).muli(pre).muli(3 * A).addi(1.0).muli(pre).muli(0.5 * C);
      INDArray oneMinusT2 = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, pre.shape(), 'c');
      oneMinusT2.assign(tanh).muli(tanh).rsubi(1.0);
      d.muli(oneMinusT2).addi(tanh.add(1.0).muli(0.5));
      dh.muli(d);
      Nd4j.gemm(rows, dh, gradTable.get(W_IN), true, false, 1.0, 0.0);
      columnSumsInto(dh, gradTable.get(B_IN));
      INDArray dx = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, rows.shape(), 'c');
      Nd4j.gemm(dh, getParam(W_IN), dx, false, true, 1.0, 0.0);
      return sequence(dx, ArrayType.ACTIVATION_GRAD, workspaceMgr);
    }

    @Override
    protected void clearKept() {
      rows = null;
      pre = null;
      tanh = null;
      act = null;
    }
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(W_IN, size, hidden);
    params.addWeightParam(W_OUT, hidden, size);
    params.addBiasParam(B_IN, 1, hidden);
    params.addBiasParam(B_OUT, 1, size);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    initWeights((int) size, (int) hidden, WeightInit.XAVIER_UNIFORM, params.get(W_IN));
    initWeights((int) hidden, (int) size, WeightInit.XAVIER_UNIFORM, params.get(W_OUT));
    params.get(B_IN).assign(0);
    params.get(B_OUT).assign(0);
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
