package io.github.ssl4j.core.dl4j;

import java.util.Arrays;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weight and bias gradients of a 2-D NCHW convolution through oneDNN's backward-weights
 * primitive alone, without the input gradient (for a layer on a network input, whose input gradient
 * nobody uses). One per layer; keeps the primitive of the last geometry. Not thread-safe.
 */
public final class OneDnnWeightGradients {
  private Geometry geometry;
  private OneDnn.Call call;

  /**
   * Computes {@code weightGrad} (and {@code biasGrad}) of the convolution of {@code input} whose
   * output gradient is {@code delta}, if oneDNN can.
   *
   * @param input [batch, in, h, w], float, row-major and dense
   * @param delta [batch, out, outH, outW], the gradient of the pre-activation output
   * @param weightGrad [out, in, kH, kW], written
   * @param biasGrad [out] or [1, out], written, or null for a convolution without bias
   * @param kernel kernel height and width
   * @param strides vertical and horizontal strides
   * @param topLeftPad padding at the top and left (for same mode, the top-left padding DL4J uses)
   * @param dilation DL4J's dilation (1 = none)
   * @param workspaceMgr the layer's workspaces, for oneDNN's temporaries (backward working memory)
   * @return false (and nothing written) when oneDNN is not available or the arrays are not dense
   *     row-major float arrays; the caller then computes the gradients itself
   */
  public boolean compute(INDArray input, INDArray delta, INDArray weightGrad, INDArray biasGrad,
      int[] kernel, int[] strides, int[] topLeftPad, int[] dilation, LayerWorkspaceMgr workspaceMgr) {
    if (!OneDnn.available() || input.rank() != 4 || delta.rank() != 4
        || !OneDnn.isPlainFloat(input) || !OneDnn.isPlainFloat(delta) || !OneDnn.isPlainFloat(weightGrad)
        || biasGrad != null && !OneDnn.isPlainFloat(biasGrad)) {
      return false;
    }
    Geometry g = Geometry.of(input.shape(), delta.shape(), kernel, strides, topLeftPad, dilation, biasGrad != null);
    if (g == null || weightGrad.length() != g.out() * g.in() * kernel[0] * kernel[1]
        || biasGrad != null && biasGrad.length() != g.out()) {
      return false;
    }
    if (!g.equals(geometry)) {
      call = g.call();
      geometry = g;
    }
    call.bind(dnnl.DNNL_ARG_SRC, input).bind(dnnl.DNNL_ARG_DIFF_DST, delta)
        .bind(dnnl.DNNL_ARG_DIFF_WEIGHTS, weightGrad);
    if (biasGrad != null) {
      call.bind(dnnl.DNNL_ARG_DIFF_BIAS, biasGrad);
    }
    call.run(workspaceMgr, ArrayType.BP_WORKING_MEM);
    return true;
  }

  private record Geometry(long[] inShape, long[] outShape, long[] kernel, long[] strides, long[] padL,
      long[] padR, long[] dilation, boolean bias) {
    static Geometry of(long[] in, long[] out, int[] kernel, int[] strides, int[] top, int[] dilation, boolean bias) {
      if (in[0] != out[0]) {
        return null;
      }
      long[] padR = new long[2];
      long[] dil = new long[2];
      for (int d = 0; d < 2; d++) {
        long extent = (long) (kernel[d] - 1) * dilation[d] + 1;
        padR[d] = Math.max(0, (out[2 + d] - 1) * strides[d] + extent - in[2 + d] - top[d]);
        if ((in[2 + d] + top[d] + padR[d] - extent) / strides[d] + 1 != out[2 + d]) {
          return null;
        }
        dil[d] = dilation[d] - 1;
      }
      return new Geometry(in.clone(), out.clone(), new long[] {kernel[0], kernel[1]},
          new long[] {strides[0], strides[1]}, new long[] {top[0], top[1]}, padR, dil, bias);
    }

    long in() {
      return inShape[1];
    }

    long out() {
      return outShape[1];
    }

    /**
     * The primitive with the layouts oneDNN prefers for the output gradient and the weight gradient
     * (blocked, for its JIT kernels), reordered from and to the caller's plain arrays.
     */
    OneDnn.Call call() {
      memory.desc src = OneDnn.plain(inShape);
      memory.desc dst = OneDnn.plain(outShape);
      memory.desc weights = OneDnn.plain(out(), in(), kernel[0], kernel[1]);
      memory.desc anyDst = OneDnn.any(outShape);
      memory.desc anyWeights = OneDnn.any(out(), in(), kernel[0], kernel[1]);
      memory.desc biasDesc = bias ? OneDnn.plain(out()) : new memory.desc();
      convolution_forward.primitive_desc hint = new convolution_forward.primitive_desc(
          new convolution_forward.desc(dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct,
              src, anyWeights, biasDesc, anyDst, strides, dilation, padL, padR),
          OneDnn.engine());
      convolution_backward_weights.primitive_desc pd = new convolution_backward_weights.primitive_desc(
          new convolution_backward_weights.desc(dnnl.algorithm.convolution_direct, src, anyWeights, biasDesc,
              anyDst, strides, dilation, padL, padR),
          OneDnn.userScratchpad(), OneDnn.engine(), hint);
      OneDnn.Call c = new OneDnn.Call(new convolution_backward_weights(pd), pd,
          "convolution weight gradient " + Arrays.toString(inShape) + " -> " + Arrays.toString(outShape))
          .arg(dnnl.DNNL_ARG_SRC, src, pd.src_desc(), true)
          .arg(dnnl.DNNL_ARG_DIFF_DST, dst, pd.diff_dst_desc(), true)
          .arg(dnnl.DNNL_ARG_DIFF_WEIGHTS, weights, pd.diff_weights_desc(), false);
      if (bias) {
        c.arg(dnnl.DNNL_ARG_DIFF_BIAS, biasDesc);
      }
      return c;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Geometry g && bias == g.bias && Arrays.equals(inShape, g.inShape)
          && Arrays.equals(outShape, g.outShape) && Arrays.equals(kernel, g.kernel)
          && Arrays.equals(strides, g.strides) && Arrays.equals(padL, g.padL) && Arrays.equals(padR, g.padR)
          && Arrays.equals(dilation, g.dilation);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(inShape) * 31 + Arrays.hashCode(outShape);
    }
  }
}
