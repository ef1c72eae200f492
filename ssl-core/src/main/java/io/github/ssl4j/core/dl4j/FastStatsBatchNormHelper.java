/*
 * Derived from org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper of Eclipse
 * Deeplearning4j 1.0.0-M2.1 (Apache License 2.0); the batch statistics are computed differently.
 */
package io.github.ssl4j.core.dl4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseScalarOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's oneDNN batch-norm helper with faster batch statistics and backward pass for NCHW
 * activations.
 *
 * <p>In DL4J 1.0.0-M2.1 the oneDNN helper computes the batch mean and variance with ND4J reductions
 * over dimensions (0, 2, 3) of an NCHW array: strided, and the variance kernel is slow. Here they come from contiguous reductions of the [N, C, H·W]
 * view: per-(n, c) sums and L2 norms, then a reduction over n, with {@code var = E[x²] − E[x]²}.
 * Where that formula would lose precision in float (a channel whose mean² exceeds 10³ × its
 * variance) the exact two-pass ND4J variance is used instead, so the result agrees with the stock
 * helper within float rounding (tested).
 *
 * <p>The backward pass of libnd4j's {@code batchnorm_bp} runs oneDNN's backward with the
 * statistics held fixed and then adds their share of the gradient with about ten strided
 * broadcast and reduction passes. When the forward pass took the one-pass
 * statistics, {@link #backward} does the whole gradient in closed form from two contiguous sums
 * instead (tested against a naive double loop); otherwise libnd4j's op runs as before. The
 * forward normalisation is oneDNN's, unchanged. Installed by {@link LayerHelpers#install}.
 */
public final class FastStatsBatchNormHelper implements BatchNormalizationHelper {
  /** Above this mean²/variance ratio the one-pass formula is not trusted. */
  static final double CANCELLATION_RATIO = 1e3;

  private OpContext context;
  private INDArray meanCache;
  private INDArray varCache;
  /** Whether the last training forward pass took the one-pass statistics (then so does backprop). */
  private boolean onePassStats;

  @Override
  public boolean checkSupported(double eps, boolean fixedGammaBeta) {
    return !fixedGammaBeta && LayerHelpers.oneDnnAvailable();
  }

  @Override
  public boolean checkSupported() {
    return LayerHelpers.oneDnnAvailable();
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape,
      INDArray gamma, INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps,
      CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
    if (!Shape.hasDefaultStridesForShape(epsilon)) {
      epsilon = epsilon.dup('c'); // DL4J issue 8860, as in the stock helper
    }
    if (input.dataType() != DataType.FLOAT) {
      return null;
    }
    if (onePassStats && gamma != null && dGammaView != null && contiguousNchw(input, format)) {
      INDArray epsAtInput =
          workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
      backward(input, epsilon, meanCache, varCache, gamma, eps, dGammaView, dBetaView, epsAtInput);
      return new Pair<>(gammaBetaGradient(dGammaView, dBetaView), epsAtInput);
    }
    int axis = (input.rank() != 4 || format == CNN2DFormat.NCHW) ? 1 : 3;
    List<INDArray> args = new ArrayList<>();
    args.add(input);
    args.add(meanCache);
    args.add(varCache);
    if (gamma != null) {
      args.add(gamma.reshape(gamma.length()));
    }
    if (beta != null) {
      args.add(beta.reshape(beta.length()));
    }
    args.add(epsilon);
    DynamicCustomOp op = DynamicCustomOp.builder("batchnorm_bp")
        .addInputs(args.toArray(new INDArray[0]))
        .addIntegerArguments(gamma == null ? 0 : 1, beta == null ? 0 : 1, axis)
        .addFloatingPointArguments(eps)
        .build();
    INDArray epsAtInput =
        workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    INDArray dLdm =
        workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, meanCache.dataType(), meanCache.shape());
    INDArray dLdv =
        workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, meanCache.dataType(), meanCache.shape());
    op.setOutputArgument(0, epsAtInput);
    op.setOutputArgument(1, dLdm);
    op.setOutputArgument(2, dLdv);
    if (dGammaView != null) {
      op.setOutputArgument(3, dGammaView.reshape(dGammaView.length()));
      op.setOutputArgument(4, dBetaView.reshape(dBetaView.length()));
    }
    Nd4j.exec(op);
    return new Pair<>(gammaBetaGradient(dGammaView, dBetaView), epsAtInput);
  }

  private static Gradient gammaBetaGradient(INDArray dGamma, INDArray dBeta) {
    Gradient g = new DefaultGradient();
    g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGamma);
    g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBeta);
    return g;
  }

  @Override
  public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta,
      INDArray mean, INDArray var, double decay, double eps, CNN2DFormat format,
      LayerWorkspaceMgr workspaceMgr) {
    if (x.dataType() != DataType.FLOAT) {
      return null;
    }
    int axis = (x.rank() != 4 || format == CNN2DFormat.NCHW) ? 1 : 3;
    INDArray m;
    INDArray v;
    if (training) {
      if (meanCache == null || meanCache.length() != x.size(axis)) {
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
          meanCache = Nd4j.createUninitialized(x.dataType(), x.size(axis));
          varCache = Nd4j.createUninitialized(x.dataType(), x.size(axis));
        }
      }
      onePassStats = batchStatistics(x, format, meanCache, varCache);
      m = meanCache;
      v = varCache;
    } else {
      m = mean.reshape(mean.length());
      v = var.reshape(var.length());
    }
    if (context == null) {
      context = Nd4j.getExecutioner().buildContext();
      context.setIArguments(ArrayUtil.fromBoolean(gamma != null), ArrayUtil.fromBoolean(beta != null), axis);
      context.setTArguments(eps);
    }
    context.purge();
    context.setInputArray(0, x);
    context.setInputArray(1, m);
    context.setInputArray(2, v);
    if (gamma != null && beta != null) {
      context.setInputArray(3, gamma.rank() == 2 ? gamma.reshape(gamma.length()) : gamma);
      context.setInputArray(4, beta.rank() == 2 ? beta.reshape(beta.length()) : beta);
    }
    INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape());
    context.setOutputArray(0, out);
    Nd4j.exec(new BatchNorm(), context);
    return out;
  }

  private static boolean contiguousNchw(INDArray x, CNN2DFormat format) {
    return x.rank() == 4 && format == CNN2DFormat.NCHW && x.ordering() == 'c'
        && Shape.hasDefaultStridesForShape(x) && !x.isView();
  }

  /**
   * Batch-norm backward pass for contiguous NCHW input with batch statistics, in place of
   * libnd4j's {@code batchnorm_bp} (oneDNN's backward with the statistics held fixed, then about
   * ten strided broadcast and reduction passes to add the statistics' share of the gradient).
   *
   * <p>With x̂ = (x − μ)/σ and M values per channel: dβ = Σ dy, dγ = Σ dy·x̂ and dx = (γ/σ)(dy −
   * dβ/M − x̂·dγ/M), which per channel is {@code a·dy + b·x + c}. The two sums come from
   * contiguous reductions of the [N, C, H·W] view (Σ dy·x − μ Σ dy for dγ, safe because the
   * forward pass checked that μ² ≤ 10³·σ² for every channel; Σ dy·x as one dot product per row,
   * without a product array), the coefficients in double, and dx from four passes over the [N·C,
   * H·W] view (a·dy and b·x written straight to their outputs, then their sum, then + c).
   */
  static void backward(INDArray x, INDArray dy, INDArray mean, INDArray var, INDArray gamma,
      double eps, INDArray dGamma, INDArray dBeta, INDArray dx) {
    if (!Shape.hasDefaultStridesForShape(dy) || dy.ordering() != 'c') {
      dy = dy.dup('c');
    }
    int n = (int) x.size(0);
    int c = (int) x.size(1);
    long hw = x.size(2) * x.size(3);
    int rowCount = n * c;
    INDArray dyRows = dy.reshape('c', rowCount, hw);
    INDArray xRows = x.reshape('c', rowCount, hw);
    INDArray sumDy = dyRows.sum(1).reshape(n, c).sum(0);
    INDArray rowDots = Nd4j.createUninitialized(x.dataType(), rowCount);
    Nd4j.exec(new Dot(dyRows, xRows, rowDots, 1)); // Σ dy·x per row in one pass, no product array
    INDArray sumDyX = rowDots.reshape(n, c).sum(0);
    float[] mu = mean.toFloatVector();
    float[] v = var.toFloatVector();
    float[] g = gamma.toFloatVector();
    float[] s1 = sumDy.toFloatVector();
    float[] s2 = sumDyX.toFloatVector();
    double count = (double) n * hw;
    float[] dg = new float[c];
    float[] db = new float[c];
    float[] ra = new float[rowCount];
    float[] rb = new float[rowCount];
    float[] rc = new float[rowCount];
    for (int ch = 0; ch < c; ch++) {
      double inv = 1.0 / Math.sqrt(v[ch] + eps);
      double dBetaC = s1[ch];
      double dGammaC = inv * (s2[ch] - (double) mu[ch] * s1[ch]);
      double a = g[ch] * inv;
      double b = -a * dGammaC * inv / count;
      double cc = -a * dBetaC / count - b * mu[ch];
      dg[ch] = (float) dGammaC;
      db[ch] = (float) dBetaC;
      for (int i = 0; i < n; i++) {
        ra[i * c + ch] = (float) a;
        rb[i * c + ch] = (float) b;
        rc[i * c + ch] = (float) cc;
      }
    }
    dGamma.assign(Nd4j.createFromArray(dg).reshape(dGamma.shape()));
    dBeta.assign(Nd4j.createFromArray(db).reshape(dBeta.shape()));
    INDArray rows = dx.reshape('c', rowCount, hw);
    INDArray bx = Nd4j.createUninitialized(x.dataType(), rowCount, hw);
    perRow(new ScalarMultiplication(dyRows, Nd4j.createFromArray(ra), rows, 0.0)); // a·dy
    perRow(new ScalarMultiplication(xRows, Nd4j.createFromArray(rb), bx, 0.0)); // b·x
    perRow(new ScalarAdd(rows.addi(bx), Nd4j.createFromArray(rc), rows, 0.0)); // + c
  }

  /** Runs a scalar op with one scalar per row of a 2-D array (ND4J's fast column-vector path). */
  private static void perRow(BaseScalarOp op) {
    op.setDimension(1);
    Nd4j.getExecutioner().exec(op);
  }

  /**
   * Batch mean and (biased) variance per channel into {@code mean} and {@code var}: fast one-pass
   * sums for contiguous NCHW input, the exact ND4J reductions otherwise or where float
   * cancellation would make the one-pass variance inaccurate.
   *
   * @return true when the one-pass sums were used
   */
  static boolean batchStatistics(INDArray x, CNN2DFormat format, INDArray mean, INDArray var) {
    if (contiguousNchw(x, format)) {
      long n = x.size(0);
      long c = x.size(1);
      long hw = x.size(2) * x.size(3);
      double count = (double) n * hw;
      INDArray r3 = x.reshape('c', n, c, hw);
      INDArray sums = r3.sum(2); // [n, c], contiguous reductions
      INDArray norms = r3.norm2(2); // [n, c]: sqrt of the sums of squares
      sums.sum(mean, 0).divi(count);
      INDArray meanSquared = mean.mul(mean);
      norms.muli(norms).sum(var, 0).divi(count).subi(meanSquared);
      double worst = meanSquared.divi(Transforms.max(var, 1e-30, true)).maxNumber().doubleValue();
      if (worst <= CANCELLATION_RATIO) {
        return true;
      }
    }
    int[] dims = x.rank() == 2 ? new int[] {0}
        : format == CNN2DFormat.NCHW ? new int[] {0, 2, 3} : new int[] {0, 1, 2};
    x.mean(mean, dims);
    Nd4j.exec(new Variance(x, var, false, dims));
    return false;
  }

  @Override
  public INDArray getMeanCache(DataType dataType) {
    return meanCache;
  }

  @Override
  public INDArray getVarCache(DataType dataType) {
    return varCache;
  }

  @Override
  public Map<String, Long> helperMemoryUse() {
    return Collections.emptyMap();
  }
}
