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
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Multi-head scaled dot-product self-attention over a sequence {@code [batch, d, T]} (DL4J NCW),
 * with a key padding mask, as PyTorch's {@code nn.MultiheadAttention} in a transformer encoder:
 * {@code Q, K, V = x Wqkv + bqkv} split into {@code heads} heads of size {@code d / heads}; per head
 * {@code softmax(Q K^T / sqrt(d/heads) + maskBias) V}; heads concatenated and projected by {@code
 * Wo, bo}. Padded positions (mask 0, DL4J's sequence mask [batch, T]) receive no attention from
 * any query; their own outputs are computed but meaningless (downstream pooling and losses mask
 * them). Parameters: {@value #QKV_WEIGHTS} [d, 3d], {@value #QKV_BIAS} [1, 3d], {@value
 * #OUT_WEIGHTS} [d, d], {@value #OUT_BIAS} [1, d]; weights Xavier-uniform, biases 0 (PyTorch's
 * initialisation of the input projection).
 *
 * <p>Defined as a SameDiff graph on {@link CorrectedSameDiffLayer}, with the softmax
 * from sum/max/exp (docs/development/dl4j-workarounds.md, B2 and B3); training runs a native implementation of the same function with its
 * backward pass written out ({@link Runtime}), because DL4J's SameDiff layer runs the graph
 * forward again inside every backward pass. Parameters and their layout are the SameDiff layer's.
 * Gradient-checked with padding masks in double precision. No dropout on the attention
 * probabilities; put a {@code DropoutLayer} after the layer instead.
 */
public class MultiHeadSelfAttention extends CorrectedSameDiffLayer {
  /** Input projection to queries, keys and values, [d, 3d]. */
  public static final String QKV_WEIGHTS = "Wqkv";
  /** Input projection bias, [1, 3d]. */
  public static final String QKV_BIAS = "bqkv";
  /** Output projection, [d, d]. */
  public static final String OUT_WEIGHTS = "Wo";
  /** Output projection bias, [1, d]. */
  public static final String OUT_BIAS = "bo";
  /** Added to the scores of padded keys: their softmax weight underflows to exactly 0. */
  static final double MASKED_SCORE = -1e9;

  @JsonProperty
  private long size;
  @JsonProperty
  private int heads;

  /** For JSON deserialisation. */
  protected MultiHeadSelfAttention() {}

  /**
   * @param size model width d (the input's feature dimension), at least 1
   * @param heads number of heads, at least 1, dividing {@code size}
   * @throws IllegalArgumentException when a value is out of range
   */
  public MultiHeadSelfAttention(long size, int heads) {
    if (size < 1) {
      throw new IllegalArgumentException("MultiHeadSelfAttention size must be at least 1 but was " + size
          + "; pass the model width d of the [batch, d, T] input");
    }
    if (heads < 1 || size % heads != 0) {
      throw new IllegalArgumentException("MultiHeadSelfAttention heads must be >= 1 and divide the size "
          + size + " but was " + heads + "; e.g. d = 128 with 4 heads of 32");
    }
    this.size = size;
    this.heads = heads;
  }

  /** @return the model width d */
  public long getSize() {
    return size;
  }

  /** @return the number of heads */
  public int getHeads() {
    return heads;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    long steps = x.getShape()[2];
    long headSize = size / heads;
    SDVariable rows = x.permute(0, 2, 1).reshape(-1, size); // [batch*T, d]
    SDVariable qkv = rows.mmul(p.get(QKV_WEIGHTS)).add(p.get(QKV_BIAS)); // [batch*T, 3d]
    SDVariable q = heads(qkv, 0, steps, headSize);
    SDVariable k = heads(qkv, 1, steps, headSize);
    SDVariable v = heads(qkv, 2, steps, headSize);
    SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(headSize)); // [b*H, T, T]
    // key padding: mask [batch, T] -> bias [batch, 1, 1, T], 0 for tokens, MASKED_SCORE for padding
    SDVariable bias = sd.reshape(mask.rsub(1.0).mul(MASKED_SCORE), -1, 1, 1, steps);
    SDVariable biased = scores.reshape(-1, heads, steps, steps).add(bias);
    SDVariable e = sd.math().exp(biased.sub(biased.max(true, 3)));
    SDVariable weights = e.div(e.sum(true, 3)).reshape(-1, steps, steps);
    SDVariable context = sd.mmul(weights, v) // [b*H, T, dh]
        .reshape(-1, heads, steps, headSize).permute(0, 2, 1, 3).reshape(-1, size); // [b*T, d]
    SDVariable out = context.mmul(p.get(OUT_WEIGHTS)).add(p.get(OUT_BIAS));
    return out.reshape(-1, steps, size).permute(0, 2, 1);
  }

  /** Part {@code part} (0 q, 1 k, 2 v) of the projection as [batch*heads, T, headSize]. */
  private SDVariable heads(SDVariable qkv, int part, long steps, long headSize) {
    return qkv.get(SDIndex.all(), SDIndex.interval(part * size, (part + 1) * size))
        .reshape(-1, steps, heads, headSize).permute(0, 2, 1, 3).reshape(-1, steps, headSize);
  }

  @Override
  protected HalvedGradientLayer newRuntimeLayer(NeuralNetConfiguration conf, DataType dataType) {
    return new Runtime(conf, dataType);
  }

  /** The sizes one pass works with: input [batch, d, steps], heads of size dh, n = batch·steps rows. */
  private static final class Dims {
    final long batch;
    final long steps;
    final long d;
    final int heads;
    final long dh;
    final long n;

    Dims(INDArray input, MultiHeadSelfAttention conf) {
      batch = input.size(0);
      steps = input.size(2);
      d = conf.size;
      heads = conf.heads;
      dh = d / heads;
      n = batch * steps;
    }
  }

  /**
   * Native forward and backward pass. Rows are the positions (X [batch·T, d]); per head: S = Q Kᵀ
   * / sqrt(dh) + maskBias, P = softmax(S) over keys, C = P V; Y = concat(C) Wo + bo. Backward: dV =
   * Pᵀ dC, dP = dC Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)) / sqrt(dh), dQ = dS K, dK = dSᵀ Q.
   */
  static final class Runtime extends NativeSequenceRuntime {
    private INDArray rows;
    private INDArray q;
    private INDArray k;
    private INDArray v;
    private INDArray probabilities;
    private INDArray context;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    protected INDArray forward(ArrayType kept, LayerWorkspaceMgr workspaceMgr) {
      Dims z = new Dims(input, (MultiHeadSelfAttention) layerConf());
      INDArray x = rows(input, kept, workspaceMgr);
      INDArray qkv = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {z.n, 3 * z.d}, 'c');
      Nd4j.gemm(x, getParam(QKV_WEIGHTS), qkv, false, false, 1.0, 0.0).addiRowVector(getParam(QKV_BIAS));
      INDArray[] qkvHeads = new INDArray[3];
      for (int part = 0; part < 3; part++) {
        INDArray h = workspaceMgr.createUninitialized(kept, dataType, new long[] {z.batch, z.heads, z.steps, z.dh}, 'c');
        h.assign(part(qkv, part, z.batch, z.steps, z.heads).permute(0, 2, 1, 3));
        qkvHeads[part] = h.reshape('c', z.batch * z.heads, z.steps, z.dh);
      }
      INDArray scores = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType,
          new long[] {z.batch * z.heads, z.steps, z.steps}, 'c');
      Nd4j.exec(new Mmul(qkvHeads[0], qkvHeads[1], scores, MMulTranspose.builder().transposeB(true).build()));
      scores.muli(1.0 / Math.sqrt(z.dh));
      if (maskArray != null) {
        INDArray bias = maskArray.castTo(dataType).rsub(1.0).muli(MASKED_SCORE); // [batch, T]
        INDArray s4 = scores.reshape('c', z.batch, z.heads, z.steps, z.steps);
        Broadcast.add(s4, bias, s4, 0, 3);
      }
      INDArray p = workspaceMgr.createUninitialized(kept, dataType, scores.shape(), 'c');
      Nd4j.exec(new SoftMax(scores, p, 2));
      INDArray ctxHeads = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType,
          new long[] {z.batch * z.heads, z.steps, z.dh}, 'c');
      Nd4j.exec(new Mmul(p, qkvHeads[2], ctxHeads, MMulTranspose.allFalse()));
      INDArray ctx = workspaceMgr.createUninitialized(kept, dataType, new long[] {z.batch, z.steps, z.heads, z.dh}, 'c');
      ctx.assign(ctxHeads.reshape('c', z.batch, z.heads, z.steps, z.dh).permute(0, 2, 1, 3));
      INDArray ctxRows = ctx.reshape('c', z.n, z.d);
      INDArray y = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {z.n, z.d}, 'c');
      Nd4j.gemm(ctxRows, getParam(OUT_WEIGHTS), y, false, false, 1.0, 0.0).addiRowVector(getParam(OUT_BIAS));
      rows = x;
      q = qkvHeads[0];
      k = qkvHeads[1];
      v = qkvHeads[2];
      probabilities = p;
      context = ctxRows;
      return sequence(y, ArrayType.ACTIVATIONS, workspaceMgr);
    }

    /** Columns {@code part·d ... (part+1)·d} of [batch·T, 3d] as a [batch, T, heads, dh] view. */
    private static INDArray part(INDArray qkv, int part, long batch, long steps, int heads) {
      long d3 = qkv.size(1);
      long dh = d3 / 3 / heads;
      return Nd4j.create(qkv.data(), new long[] {batch, steps, heads, dh},
          new long[] {steps * d3, d3, dh, 1}, qkv.offset() + part * (d3 / 3), 'c');
    }

    @Override
    protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      Dims z = new Dims(input, (MultiHeadSelfAttention) layerConf());
      INDArray dy = rows(epsilon, ArrayType.BP_WORKING_MEM, workspaceMgr);
      Nd4j.gemm(context, dy, gradTable.get(OUT_WEIGHTS), true, false, 1.0, 0.0);
      columnSumsInto(dy, gradTable.get(OUT_BIAS));
      INDArray dCtx = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {z.batch, z.steps, z.heads, z.dh}, 'c');
      Nd4j.gemm(dy, getParam(OUT_WEIGHTS), dCtx.reshape('c', z.n, z.d), false, true, 1.0, 0.0);
      INDArray dCtxHeads = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {z.batch, z.heads, z.steps, z.dh}, 'c');
      dCtxHeads.assign(dCtx.permute(0, 2, 1, 3));
      INDArray dC = dCtxHeads.reshape('c', z.batch * z.heads, z.steps, z.dh);
      INDArray dQkv = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {z.n, 3 * z.d}, 'c');
      INDArray dv = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, v.shape(), 'c');
      Nd4j.exec(new Mmul(probabilities, dC, dv, MMulTranspose.builder().transposeA(true).build()));
      INDArray dp = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, probabilities.shape(), 'c');
      Nd4j.exec(new Mmul(dC, v, dp, MMulTranspose.builder().transposeB(true).build()));
      // dS = P ⊙ (dP − rowsum(dP ⊙ P)) / sqrt(dh), rows over the keys
      INDArray dp2 = dp.reshape('c', z.batch * z.heads * z.steps, z.steps);
      INDArray p2 = probabilities.reshape('c', z.batch * z.heads * z.steps, z.steps);
      INDArray rowSums = dp2.mul(p2).sum(true, 1);
      dp2.subiColumnVector(rowSums).muli(p2).muli(1.0 / Math.sqrt(z.dh));
      INDArray dq = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, q.shape(), 'c');
      Nd4j.exec(new Mmul(dp, k, dq, MMulTranspose.allFalse()));
      INDArray dk = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, k.shape(), 'c');
      Nd4j.exec(new Mmul(dp, q, dk, MMulTranspose.builder().transposeA(true).build()));
      INDArray[] grads = {dq, dk, dv};
      for (int part = 0; part < 3; part++) {
        part(dQkv, part, z.batch, z.steps, z.heads)
            .assign(grads[part].reshape('c', z.batch, z.heads, z.steps, z.dh).permute(0, 2, 1, 3));
      }
      Nd4j.gemm(rows, dQkv, gradTable.get(QKV_WEIGHTS), true, false, 1.0, 0.0);
      columnSumsInto(dQkv, gradTable.get(QKV_BIAS));
      INDArray dx = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {z.n, z.d}, 'c');
      Nd4j.gemm(dQkv, getParam(QKV_WEIGHTS), dx, false, true, 1.0, 0.0);
      return sequence(dx, ArrayType.ACTIVATION_GRAD, workspaceMgr);
    }

    @Override
    protected void clearKept() {
      rows = null;
      q = null;
      k = null;
      v = null;
      probabilities = null;
      context = null;
    }
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(QKV_WEIGHTS, size, 3 * size);
    params.addWeightParam(OUT_WEIGHTS, size, size);
    params.addBiasParam(QKV_BIAS, 1, 3 * size);
    params.addBiasParam(OUT_BIAS, 1, size);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    initWeights((int) size, (int) (3 * size), WeightInit.XAVIER_UNIFORM, params.get(QKV_WEIGHTS));
    initWeights((int) size, (int) size, WeightInit.XAVIER_UNIFORM, params.get(OUT_WEIGHTS));
    params.get(QKV_BIAS).assign(0);
    params.get(OUT_BIAS).assign(0);
  }

  @Override
  public void validateInput(INDArray input) {
    if (input.rank() != 3 || input.size(1) != size) {
      throw new IllegalArgumentException("MultiHeadSelfAttention(d=" + size + ") expects activations [batch, "
          + size + ", T] (DL4J NCW) but got shape " + Arrays.toString(input.shape())
          + "; put it after an embedding or LayerNormalization of width " + size);
    }
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeRecurrent r) || r.getSize() != size
        || r.getFormat() != RNNFormat.NCW) {
      throw new IllegalArgumentException("MultiHeadSelfAttention (layer " + layerIndex + ") expects input"
          + " type recurrent(" + size + ") in NCW format but got " + inputType
          + "; feed it sequence activations of width " + size);
    }
    return InputType.recurrent(size, r.getTimeSeriesLength());
  }

  @Override
  public String toString() {
    return "MultiHeadSelfAttention[d=" + size + ", heads=" + heads + "]";
  }
}
