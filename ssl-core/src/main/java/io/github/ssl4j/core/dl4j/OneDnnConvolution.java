package io.github.ssl4j.core.dl4j;

import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 2-D NCHW float convolution run on oneDNN directly: forward pass, input gradient and weight
 * and bias gradients, each with the layouts oneDNN's kernels prefer (weights and activations
 * blocked by channel), reordered from and to the caller's plain arrays where needed. Inputs and
 * output gradients may arrive in a oneDNN layout ({@link OneDnnLayouts}); the forward output and
 * the input gradient can be left in one for a consumer that reads it. One per layer; keeps the
 * primitives of the last geometry. Not thread-safe.
 */
public final class OneDnnConvolution {
  private Geometry geometry;
  private convolution_forward.primitive_desc forwardHint;
  private final OneDnn.Calls forwardCalls = new OneDnn.Calls();
  private final OneDnn.Calls dataCalls = new OneDnn.Calls();
  private final OneDnn.Calls weightCalls = new OneDnn.Calls();

  /**
   * The shapes of one convolution, or null from {@link #of} when oneDNN does not take it.
   *
   * @param inShape [batch, in, h, w]
   * @param outShape [batch, out, outH, outW]
   */
  public record Geometry(long[] inShape, long[] outShape, long[] kernel, long[] strides, long[] padL,
      long[] padR, long[] dilation, boolean bias) {

    /**
     * @param in the input's shape, [batch, in, h, w]
     * @param out the output's shape, [batch, out, outH, outW]
     * @param kernel kernel height and width
     * @param strides vertical and horizontal strides
     * @param top padding at the top and left (for same mode, the top-left padding DL4J uses)
     * @param dilation DL4J's dilation (1 = none)
     * @param bias whether the convolution has a bias
     * @return the geometry, or null when no bottom/right padding gives the output size
     */
    public static Geometry of(long[] in, long[] out, int[] kernel, int[] strides, int[] top,
        int[] dilation, boolean bias) {
      Objects.requireNonNull(in, "in");
      Objects.requireNonNull(out, "out");
      Objects.requireNonNull(kernel, "kernel");
      Objects.requireNonNull(strides, "strides");
      Objects.requireNonNull(top, "top");
      Objects.requireNonNull(dilation, "dilation");
      if (in.length != 4 || out.length != 4 || in[0] != out[0]) {
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

    long[] weightShape() {
      return new long[] {outShape[1], inShape[1], kernel[0], kernel[1]};
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

    @Override
    public String toString() {
      return "convolution " + Arrays.toString(inShape) + " -> " + Arrays.toString(outShape);
    }
  }

  /**
   * @return whether {@code a} can be handed to oneDNN: a float array, plain (dense row-major) or in
   *     a oneDNN layout
   */
  public static boolean takes(INDArray a) {
    return a != null && OneDnn.isPlainFloat(a);
  }

  /** @return whether {@code a} holds its values in a oneDNN layout (see {@link OneDnnLayouts}) */
  public static boolean inOneDnnLayout(INDArray a) {
    return OneDnnLayouts.of(a) != null;
  }

  private void use(Geometry g) {
    if (!g.equals(geometry)) {
      memory.desc biasDesc = g.bias() ? OneDnn.plain(g.outShape()[1]) : new memory.desc();
      forwardHint = new convolution_forward.primitive_desc(
          new convolution_forward.desc(dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct,
              OneDnn.any(g.inShape()), OneDnn.any(g.weightShape()), biasDesc, OneDnn.any(g.outShape()),
              g.strides(), g.dilation(), g.padL(), g.padR()),
          OneDnn.userScratchpad(), OneDnn.engine());
      forwardCalls.clear();
      dataCalls.clear();
      weightCalls.clear();
      geometry = g;
    }
  }

  /**
   * The layout oneDNN's kernels want for the output (and the output gradient) of {@code g}: a
   * caller that builds an output gradient can write it in this layout and {@link
   * OneDnnLayouts#mark mark} it, so that the backward passes read it without a reorder.
   */
  memory.desc outputLayout(Geometry g) {
    use(g);
    return forwardHint.dst_desc();
  }

  /**
   * The forward pass (pre-activation) into a new activations array.
   *
   * @param input the input, plain or in a oneDNN layout
   * @param weights [out, in, kH, kW], plain
   * @param bias [out] or [1, out], plain, or null without bias
   * @param oneDnnOutput whether to leave the output in oneDNN's layout (marked, see {@link
   *     OneDnnLayouts}); only during a training step, else it is plain
   * @return the output, [batch, out, outH, outW]
   */
  public INDArray forward(Geometry g, INDArray input, INDArray weights, INDArray bias, boolean oneDnnOutput,
      LayerWorkspaceMgr workspaceMgr) {
    use(g);
    memory.desc inLayout = OneDnnLayouts.of(input);
    memory.desc dstLayout = forwardHint.dst_desc();
    boolean blockedOut = oneDnnOutput && OneDnnLayouts.allowed() && fits(dstLayout, g.outShape());
    OneDnn.Call call = forwardCalls.get(() -> {
      convolution_forward.primitive_desc pd = forwardHint;
      OneDnn.Call c = new OneDnn.Call(new convolution_forward(pd), pd, g + " forward")
          .arg(dnnl.DNNL_ARG_SRC, given(inLayout, g.inShape()), pd.src_desc(), true)
          .arg(dnnl.DNNL_ARG_WEIGHTS, OneDnn.plain(g.weightShape()), pd.weights_desc(), true);
      if (g.bias()) {
        c.arg(dnnl.DNNL_ARG_BIAS, OneDnn.plain(g.outShape()[1]));
      }
      return blockedOut ? c.arg(dnnl.DNNL_ARG_DST, pd.dst_desc())
          : c.arg(dnnl.DNNL_ARG_DST, OneDnn.plain(g.outShape()), pd.dst_desc(), false);
    }, inLayout, blockedOut ? dstLayout : null);
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, g.outShape(), 'c');
    call.bind(dnnl.DNNL_ARG_SRC, input).bind(dnnl.DNNL_ARG_WEIGHTS, weights).bind(dnnl.DNNL_ARG_DST, out);
    if (g.bias()) {
      call.bind(dnnl.DNNL_ARG_BIAS, bias);
    }
    call.run(workspaceMgr, ArrayType.FF_WORKING_MEM);
    if (blockedOut) {
      OneDnnLayouts.mark(out, dstLayout);
    }
    return out;
  }

  /**
   * The gradient with respect to the input, into a new activation-gradient array: in the input's
   * layout when the input was in a oneDNN layout (its producer reads that), else plain.
   *
   * @param input the forward pass's input (only its layout is used)
   * @param delta the gradient of the pre-activation output, plain or in a oneDNN layout
   */
  public INDArray inputGradient(Geometry g, INDArray input, INDArray delta, INDArray weights,
      LayerWorkspaceMgr workspaceMgr) {
    use(g);
    memory.desc inLayout = OneDnnLayouts.of(input);
    memory.desc deltaLayout = OneDnnLayouts.of(delta);
    OneDnn.Call call = dataCalls.get(() -> {
      convolution_backward_data.primitive_desc pd = new convolution_backward_data.primitive_desc(
          new convolution_backward_data.desc(dnnl.algorithm.convolution_direct,
              inLayout != null ? inLayout : OneDnn.any(g.inShape()), OneDnn.any(g.weightShape()),
              OneDnn.any(g.outShape()), g.strides(), g.dilation(), g.padL(), g.padR()),
          OneDnn.userScratchpad(), OneDnn.engine(), forwardHint);
      OneDnn.Call c = new OneDnn.Call(new convolution_backward_data(pd), pd, g + " input gradient")
          .arg(dnnl.DNNL_ARG_DIFF_DST, given(deltaLayout, g.outShape()), pd.diff_dst_desc(), true)
          .arg(dnnl.DNNL_ARG_WEIGHTS, OneDnn.plain(g.weightShape()), pd.weights_desc(), true);
      return inLayout != null ? c.arg(dnnl.DNNL_ARG_DIFF_SRC, inLayout)
          : c.arg(dnnl.DNNL_ARG_DIFF_SRC, OneDnn.plain(g.inShape()), pd.diff_src_desc(), false);
    }, inLayout, deltaLayout);
    INDArray gradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, g.inShape(), 'c');
    call.bind(dnnl.DNNL_ARG_DIFF_DST, delta).bind(dnnl.DNNL_ARG_WEIGHTS, weights)
        .bind(dnnl.DNNL_ARG_DIFF_SRC, gradient).run(workspaceMgr, ArrayType.BP_WORKING_MEM);
    if (inLayout != null) {
      OneDnnLayouts.mark(gradient, inLayout);
    }
    return gradient;
  }

  /**
   * The weight and bias gradients, written into the caller's plain arrays.
   *
   * @param input the forward pass's input, plain or in a oneDNN layout
   * @param delta the gradient of the pre-activation output, plain or in a oneDNN layout
   * @param weightGrad [out, in, kH, kW], plain, written
   * @param biasGrad [out] or [1, out], plain, written; null without bias
   */
  public void weightGradients(Geometry g, INDArray input, INDArray delta, INDArray weightGrad,
      INDArray biasGrad, LayerWorkspaceMgr workspaceMgr) {
    use(g);
    memory.desc inLayout = OneDnnLayouts.of(input);
    memory.desc deltaLayout = OneDnnLayouts.of(delta);
    OneDnn.Call call = weightCalls.get(() -> {
      memory.desc biasDesc = g.bias() ? OneDnn.plain(g.outShape()[1]) : new memory.desc();
      convolution_backward_weights.primitive_desc pd = new convolution_backward_weights.primitive_desc(
          new convolution_backward_weights.desc(dnnl.algorithm.convolution_direct, OneDnn.any(g.inShape()),
              OneDnn.any(g.weightShape()), biasDesc, OneDnn.any(g.outShape()), g.strides(), g.dilation(),
              g.padL(), g.padR()),
          OneDnn.userScratchpad(), OneDnn.engine(), forwardHint);
      OneDnn.Call c = new OneDnn.Call(new convolution_backward_weights(pd), pd, g + " weight gradient")
          .arg(dnnl.DNNL_ARG_SRC, given(inLayout, g.inShape()), pd.src_desc(), true)
          .arg(dnnl.DNNL_ARG_DIFF_DST, given(deltaLayout, g.outShape()), pd.diff_dst_desc(), true)
          .arg(dnnl.DNNL_ARG_DIFF_WEIGHTS, OneDnn.plain(g.weightShape()), pd.diff_weights_desc(), false);
      if (g.bias()) {
        c.arg(dnnl.DNNL_ARG_DIFF_BIAS, biasDesc);
      }
      return c;
    }, inLayout, deltaLayout);
    call.bind(dnnl.DNNL_ARG_SRC, input).bind(dnnl.DNNL_ARG_DIFF_DST, delta).bind(dnnl.DNNL_ARG_DIFF_WEIGHTS, weightGrad);
    if (g.bias()) {
      call.bind(dnnl.DNNL_ARG_DIFF_BIAS, biasGrad);
    }
    call.run(workspaceMgr, ArrayType.BP_WORKING_MEM);
  }

  private static memory.desc given(memory.desc layout, long[] shape) {
    return layout != null ? layout : OneDnn.plain(shape);
  }

  /** Whether a layout holds exactly the plain array's values (no padding), so it fits its array. */
  static boolean fits(memory.desc layout, long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return layout.get_size() == n * Float.BYTES;
  }
}
