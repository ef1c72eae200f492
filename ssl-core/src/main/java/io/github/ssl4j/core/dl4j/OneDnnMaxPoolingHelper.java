package io.github.ssl4j.core.dl4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingHelper;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling of a 2-D subsampling layer through oneDNN, whose backward pass uses the workspace
 * (the positions of the maxima) of the training forward pass on the same input instead of running
 * the forward pass again, as DL4J's oneDNN helper does. Gradients are the same: oneDNN computes both.
 *
 * <p>Takes NCHW float input, dense and row-major, with a padding oneDNN can express; anything else
 * (average or other pooling types, NHWC, double precision, views) goes to the helper it was given.
 * A backward pass on an input whose training forward pass it did not see (or not last) runs that
 * forward pass first. Installed by {@link LayerHelpers} when {@link OneDnn#available()}.
 */
final class OneDnnMaxPoolingHelper extends OneDnn.LayoutAware implements SubsamplingHelper {
  private final SubsamplingHelper fallback;

  private Passes passes;
  /** How many forward and backward passes oneDNN ran (not the fallback), for diagnostics. */
  private long oneDnnPasses;
  /** The input of the last training forward pass, whose maxima {@link #passes} holds. */
  private INDArray keptFor;

  /** @param fallback the helper for everything this one does not take */
  OneDnnMaxPoolingHelper(SubsamplingHelper fallback) {
    this.fallback = fallback;
  }

  @Override
  public boolean checkSupported() {
    return true;
  }

  @Override
  public INDArray activate(INDArray input, boolean training, int[] kernel, int[] strides, int[] pad,
      PoolingType poolingType, ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    Geometry g = Geometry.of(input, kernel, strides, pad, poolingType, convolutionMode, dilation, format);
    if (g == null) {
      keptFor = null;
      return fallback.activate(input, training, kernel, strides, pad, poolingType, convolutionMode,
          dilation, format, workspaceMgr);
    }
    memory.desc layout = OneDnnLayouts.of(input);
    Passes p = passes(g, layout);
    boolean keep = oneDnnOutput && layout != null && training;
    OneDnn.Call forward = p.forward(keep);
    INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, g.outShape(), 'c');
    forward.bind(dnnl.DNNL_ARG_SRC, input).bind(dnnl.DNNL_ARG_DST, output)
        .run(workspaceMgr, ArrayType.FF_WORKING_MEM);
    oneDnnPasses++;
    keptFor = training ? input : null;
    if (keep) {
      OneDnnLayouts.mark(output, p.forwardPd.dst_desc());
    }
    return output;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, int[] kernel,
      int[] strides, int[] pad, PoolingType poolingType, ConvolutionMode convolutionMode, int[] dilation,
      CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
    Geometry g = Geometry.of(input, kernel, strides, pad, poolingType, convolutionMode, dilation, format);
    if (g == null || !Arrays.equals(epsilon.shape(), g.outShape())) {
      keptFor = null;
      return fallback.backpropGradient(input, epsilon, kernel, strides, pad, poolingType, convolutionMode,
          dilation, format, workspaceMgr);
    }
    memory.desc layout = OneDnnLayouts.of(input);
    Passes p = passes(g, layout);
    if (keptFor != input) {
      // no workspace for this input: the forward pass again, into a scratch output
      INDArray scratch = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, g.outShape(), 'c');
      p.forward(false).bind(dnnl.DNNL_ARG_SRC, input).bind(dnnl.DNNL_ARG_DST, scratch)
          .run(workspaceMgr, ArrayType.BP_WORKING_MEM);
    }
    keptFor = null;
    memory.desc epsLayout = OneDnnLayouts.of(epsilon);
    INDArray eps = epsLayout != null || OneDnn.isPlainFloat(epsilon) ? epsilon
        : workspaceMgr.dup(ArrayType.BP_WORKING_MEM, epsilon.castTo(DataType.FLOAT), 'c');
    INDArray gradAtInput = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    p.backward(epsLayout).bind(dnnl.DNNL_ARG_DIFF_DST, eps).bind(dnnl.DNNL_ARG_DIFF_SRC, gradAtInput)
        .run(workspaceMgr, ArrayType.BP_WORKING_MEM);
    oneDnnPasses++;
    if (layout != null) {
      OneDnnLayouts.mark(gradAtInput, layout);
    }
    return new Pair<>(new DefaultGradient(), gradAtInput);
  }

  /** @return how many forward and backward passes ran on oneDNN rather than on the fallback */
  long oneDnnPasses() {
    return oneDnnPasses;
  }

  @Override
  public Map<String, Long> helperMemoryUse() {
    return Collections.emptyMap();
  }

  private Passes passes(Geometry g, memory.desc layout) {
    if (passes == null || !passes.geometry.equals(g)
        || !OneDnn.sameLayout(passes.layout, layout)) {
      passes = new Passes(g, layout);
      keptFor = null;
    }
    return passes;
  }

  /** The shapes of one pooling problem; null from {@link #of} when oneDNN is not used for it. */
  record Geometry(long[] inShape, long[] outShape, long[] kernel, long[] strides, long[] padL, long[] padR) {
    static Geometry of(INDArray input, int[] kernel, int[] strides, int[] pad, PoolingType type,
        ConvolutionMode mode, int[] dilation, CNN2DFormat format) {
      if (type != PoolingType.MAX || format != CNN2DFormat.NCHW || input.rank() != 4
          || !OneDnn.isPlainFloat(input) || dilation[0] != 1 || dilation[1] != 1) {
        return null;
      }
      int h = (int) input.size(2);
      int w = (int) input.size(3);
      int[] out;
      int[] top;
      if (mode == ConvolutionMode.Same) {
        out = ConvolutionUtils.getOutputSize(input, kernel, strides, null, mode, dilation, format);
        top = ConvolutionUtils.getSameModeTopLeftPadding(out, new int[] {h, w}, kernel, strides, dilation);
      } else {
        out = ConvolutionUtils.getOutputSize(input, kernel, strides, pad, mode, dilation, format);
        top = pad;
      }
      // the smallest bottom/right padding with (in + top + bottom - kernel) / stride + 1 = out
      long bottom = Math.max(0, (long) (out[0] - 1) * strides[0] + kernel[0] - h - top[0]);
      long right = Math.max(0, (long) (out[1] - 1) * strides[1] + kernel[1] - w - top[1]);
      if ((h + top[0] + bottom - kernel[0]) / strides[0] + 1 != out[0]
          || (w + top[1] + right - kernel[1]) / strides[1] + 1 != out[1]) {
        return null;
      }
      return new Geometry(input.shape(), new long[] {input.size(0), input.size(1), out[0], out[1]},
          new long[] {kernel[0], kernel[1]}, new long[] {strides[0], strides[1]},
          new long[] {top[0], top[1]}, new long[] {bottom, right});
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Geometry g && Arrays.equals(inShape, g.inShape) && Arrays.equals(outShape, g.outShape)
          && Arrays.equals(kernel, g.kernel) && Arrays.equals(strides, g.strides)
          && Arrays.equals(padL, g.padL) && Arrays.equals(padR, g.padR);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(inShape) * 31 + Arrays.hashCode(outShape);
    }

    @Override
    public String toString() {
      return "max pooling " + Arrays.toString(inShape) + " -> " + Arrays.toString(outShape);
    }
  }

  /**
   * The forward (training) and backward primitives of one geometry and input layout (null:
   * plain), sharing the workspace that holds the maxima.
   */
  private static final class Passes {
    final Geometry geometry;
    final memory.desc layout;
    final pooling_forward.primitive_desc forwardPd;
    final memory workspace;
    private final OneDnn.Calls forwards = new OneDnn.Calls();
    private final OneDnn.Calls backwards = new OneDnn.Calls();

    Passes(Geometry g, memory.desc layout) {
      this.geometry = g;
      this.layout = layout;
      memory.desc src = layout != null ? layout : OneDnn.plain(g.inShape());
      memory.desc dst = layout != null ? OneDnn.any(g.outShape()) : OneDnn.plain(g.outShape());
      forwardPd = new pooling_forward.primitive_desc(
          new pooling_forward.desc(dnnl.prop_kind.forward_training, dnnl.algorithm.pooling_max, src, dst,
              g.strides(), g.kernel(), g.padL(), g.padR()),
          OneDnn.userScratchpad(), OneDnn.engine());
      workspace = new memory(forwardPd.workspace_desc(), OneDnn.engine());
    }

    /** @param keep whether the output stays in the primitive's layout (else it is plain) */
    OneDnn.Call forward(boolean keep) {
      return forwards.get(() -> {
        OneDnn.Call c = new OneDnn.Call(new pooling_forward(forwardPd), forwardPd, geometry + " forward")
            .arg(dnnl.DNNL_ARG_SRC, forwardPd.src_desc())
            .share(dnnl.DNNL_ARG_WORKSPACE, workspace);
        return keep ? c.arg(dnnl.DNNL_ARG_DST, forwardPd.dst_desc())
            : c.arg(dnnl.DNNL_ARG_DST, OneDnn.plain(geometry.outShape()), forwardPd.dst_desc(), false);
      }, keep ? forwardPd.dst_desc() : null);
    }

    /** @param epsLayout the output gradient's layout, null for plain */
    OneDnn.Call backward(memory.desc epsLayout) {
      return backwards.get(() -> {
        pooling_backward.primitive_desc pd = new pooling_backward.primitive_desc(
            new pooling_backward.desc(dnnl.algorithm.pooling_max, forwardPd.src_desc(), forwardPd.dst_desc(),
                geometry.strides(), geometry.kernel(), geometry.padL(), geometry.padR()),
            OneDnn.userScratchpad(), OneDnn.engine(), forwardPd);
        return new OneDnn.Call(new pooling_backward(pd), pd, geometry + " backward")
            .arg(dnnl.DNNL_ARG_DIFF_DST, epsLayout != null ? epsLayout : OneDnn.plain(geometry.outShape()),
                pd.diff_dst_desc(), true)
            .arg(dnnl.DNNL_ARG_DIFF_SRC, pd.diff_src_desc())
            .share(dnnl.DNNL_ARG_WORKSPACE, workspace);
      }, epsLayout);
    }
  }
}
