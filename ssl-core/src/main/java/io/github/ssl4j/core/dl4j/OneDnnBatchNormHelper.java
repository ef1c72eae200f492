package io.github.ssl4j.core.dl4j;

import java.util.Collections;
import java.util.Map;
import org.bytedeco.dnnl.batch_normalization_backward;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch normalisation of activations in a oneDNN layout ({@link OneDnnLayouts}), run on oneDNN
 * directly: the training forward pass (batch statistics, scale and shift, and ReLU when the layer
 * asks for it, {@link OneDnnLayouts.ReluFusing}) and the backward pass, in the layout the
 * activations arrive in, so that a convolution's blocked output is normalised without a reorder. The output stays in that layout when the layer's consumer reads it ({@link
 * #oneDnnOutput}), else it is reordered to plain NCHW. Plain input goes to {@link
 * FastStatsBatchNormHelper}, which this helper wraps. Installed by {@link LayerHelpers} when
 * {@link OneDnn#available()}.
 */
final class OneDnnBatchNormHelper extends OneDnn.LayoutAware
    implements BatchNormalizationHelper, OneDnnLayouts.ReluFusing {
  private final FastStatsBatchNormHelper plain;
  private boolean fuseRelu;
  /** Whether the last forward pass applied ReLU (oneDNN's fuse_norm_relu, mask in {@link #reluMask}). */
  private boolean appliedRelu;
  private memory reluMask;
  private boolean pdFusesRelu;

  private long[] shape;
  private float eps;
  private batch_normalization_forward.primitive_desc forwardPd;
  private final OneDnn.Calls forwardCalls = new OneDnn.Calls();
  private final OneDnn.Calls backwardCalls = new OneDnn.Calls();
  private INDArray mean;
  private INDArray variance;
  /** Whether the last forward pass was this helper's (else the plain helper's statistics hold). */
  private boolean lastOwn;

  OneDnnBatchNormHelper(FastStatsBatchNormHelper plain) {
    this.plain = plain;
  }

  @Override
  public void fuseRelu(boolean fuse) {
    this.fuseRelu = fuse;
  }

  @Override
  public boolean appliedRelu() {
    return appliedRelu;
  }


  @Override
  public boolean checkSupported(double eps, boolean fixedGammaBeta) {
    return plain.checkSupported(eps, fixedGammaBeta);
  }

  @Override
  public boolean checkSupported() {
    return plain.checkSupported();
  }

  @Override
  public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta,
      INDArray mean, INDArray var, double decay, double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
    memory.desc layout = OneDnnLayouts.of(x);
    appliedRelu = false;
    if (layout == null) {
      lastOwn = false;
      return plain.preOutput(x, training, shape, gamma, beta, mean, var, decay, eps, format, workspaceMgr);
    }
    if (!training || gamma == null || beta == null) {
      throw new IllegalStateException("batch norm of an array in a oneDNN layout outside a training forward "
          + "pass (training " + training + ", gamma/beta " + (gamma != null) + ")");
    }
    use(x.shape(), (float) eps, layout, fuseRelu);
    boolean keep = oneDnnOutput;
    OneDnn.Call call = forwardCalls.get(() -> {
      OneDnn.Call c = new OneDnn.Call(new batch_normalization_forward(forwardPd), forwardPd,
          "batch norm forward " + java.util.Arrays.toString(x.shape()));
      if (pdFusesRelu) {
        c.share(dnnl.DNNL_ARG_WORKSPACE, reluMask);
      }
      c.arg(dnnl.DNNL_ARG_SRC, layout)
          .arg(dnnl.DNNL_ARG_MEAN, OneDnn.plain(x.size(1)))
          .arg(dnnl.DNNL_ARG_VARIANCE, OneDnn.plain(x.size(1)))
          .arg(dnnl.DNNL_ARG_SCALE, OneDnn.plain(x.size(1)))
          .arg(dnnl.DNNL_ARG_SHIFT, OneDnn.plain(x.size(1)));
      return keep ? c.arg(dnnl.DNNL_ARG_DST, layout)
          : c.arg(dnnl.DNNL_ARG_DST, OneDnn.plain(x.shape()), layout, false);
    }, layout, keep ? layout : null);
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape(), 'c');
    call.bind(dnnl.DNNL_ARG_SRC, x).bind(dnnl.DNNL_ARG_DST, out)
        .bind(dnnl.DNNL_ARG_MEAN, this.mean).bind(dnnl.DNNL_ARG_VARIANCE, variance)
        .bind(dnnl.DNNL_ARG_SCALE, gamma).bind(dnnl.DNNL_ARG_SHIFT, beta)
        .run(workspaceMgr, ArrayType.FF_WORKING_MEM);
    lastOwn = true;
    appliedRelu = pdFusesRelu;
    if (keep) {
      OneDnnLayouts.mark(out, layout);
    }
    return out;
  }

  private void use(long[] shape, float eps, memory.desc layout, boolean relu) {
    if (!java.util.Arrays.equals(shape, this.shape) || eps != this.eps || relu != pdFusesRelu
        || !forwardPd.src_desc().equals(layout)) {
      forwardPd = new batch_normalization_forward.primitive_desc(
          new batch_normalization_forward.desc(dnnl.prop_kind.forward_training.value, layout, eps, flags(relu)),
          OneDnn.userScratchpad(), OneDnn.engine());
      reluMask = relu ? new memory(forwardPd.workspace_desc(), OneDnn.engine()) : null;
      pdFusesRelu = relu;
      forwardCalls.clear();
      backwardCalls.clear();
      try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        mean = Nd4j.createUninitialized(DataType.FLOAT, shape[1]);
        variance = Nd4j.createUninitialized(DataType.FLOAT, shape[1]);
      }
      this.shape = shape.clone();
      this.eps = eps;
    }
  }

  /** Scale and shift, and ReLU on the output (with its mask for the backward pass) when asked. */
  private static int flags(boolean relu) {
    int f = dnnl.normalization_flags.use_scale.value | dnnl.normalization_flags.use_shift.value;
    return relu ? f | dnnl.normalization_flags.fuse_norm_relu.value : f;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
      INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    memory.desc layout = OneDnnLayouts.of(input);
    if (layout == null) {
      return plain.backpropGradient(input, epsilon, shape, gamma, beta, dGammaView, dBetaView, eps, format,
          workspaceMgr);
    }
    if (!lastOwn || gamma == null || beta == null || dGammaView == null || !forwardPd.src_desc().equals(layout)) {
      throw new IllegalStateException("batch norm backward pass on an array in a oneDNN layout without its "
          + "training forward pass");
    }
    memory.desc epsLayout = OneDnnLayouts.of(epsilon);
    if (epsLayout == null && !OneDnn.isPlainFloat(epsilon)) {
      epsilon = workspaceMgr.dup(ArrayType.BP_WORKING_MEM, epsilon.castTo(DataType.FLOAT), 'c');
    }
    OneDnn.Call call = backwardCalls.get(() -> {
      batch_normalization_backward.primitive_desc pd = new batch_normalization_backward.primitive_desc(
          new batch_normalization_backward.desc(dnnl.prop_kind.backward.value, layout, layout, this.eps,
              flags(pdFusesRelu)),
          OneDnn.userScratchpad(), OneDnn.engine(), forwardPd);
      long c = input.size(1);
      OneDnn.Call call0 = new OneDnn.Call(new batch_normalization_backward(pd), pd,
          "batch norm backward " + java.util.Arrays.toString(input.shape()));
      if (pdFusesRelu) {
        call0.share(dnnl.DNNL_ARG_WORKSPACE, reluMask);
      }
      return call0
          .arg(dnnl.DNNL_ARG_SRC, layout)
          .arg(dnnl.DNNL_ARG_DIFF_DST, epsLayout != null ? epsLayout : OneDnn.plain(input.shape()),
              pd.diff_dst_desc(), true)
          .arg(dnnl.DNNL_ARG_MEAN, OneDnn.plain(c))
          .arg(dnnl.DNNL_ARG_VARIANCE, OneDnn.plain(c))
          .arg(dnnl.DNNL_ARG_SCALE, OneDnn.plain(c))
          .arg(dnnl.DNNL_ARG_SHIFT, OneDnn.plain(c))
          .arg(dnnl.DNNL_ARG_DIFF_SRC, layout)
          .arg(dnnl.DNNL_ARG_DIFF_SCALE, OneDnn.plain(c))
          .arg(dnnl.DNNL_ARG_DIFF_SHIFT, OneDnn.plain(c));
    }, layout, epsLayout);
    INDArray epsAtInput = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    call.bind(dnnl.DNNL_ARG_SRC, input).bind(dnnl.DNNL_ARG_DIFF_DST, epsilon)
        .bind(dnnl.DNNL_ARG_MEAN, mean).bind(dnnl.DNNL_ARG_VARIANCE, variance).bind(dnnl.DNNL_ARG_SCALE, gamma)
        .bind(dnnl.DNNL_ARG_SHIFT, beta).bind(dnnl.DNNL_ARG_DIFF_SRC, epsAtInput)
        .bind(dnnl.DNNL_ARG_DIFF_SCALE, dGammaView).bind(dnnl.DNNL_ARG_DIFF_SHIFT, dBetaView)
        .run(workspaceMgr, ArrayType.BP_WORKING_MEM);
    OneDnnLayouts.mark(epsAtInput, layout);
    Gradient g = new DefaultGradient();
    g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
    g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
    return new Pair<>(g, epsAtInput);
  }

  @Override
  public INDArray getMeanCache(DataType dataType) {
    return lastOwn ? mean : plain.getMeanCache(dataType);
  }

  @Override
  public INDArray getVarCache(DataType dataType) {
    return lastOwn ? variance : plain.getVarCache(dataType);
  }

  @Override
  public Map<String, Long> helperMemoryUse() {
    return Collections.emptyMap();
  }
}
