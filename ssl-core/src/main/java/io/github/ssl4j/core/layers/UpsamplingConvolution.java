package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.OneDnnUpsamplingConvolution;
import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nearest-neighbour upsampling followed by a 2-D convolution, as one layer: what DL4J's {@code
 * Upsampling2D} followed by a {@link ConvolutionLayer} computes, with the convolution's parameters
 * ({@code W} [out, in, kH, kW], {@code b} [out]) and all of its options.
 *
 * <p>Input [batch, in, h, w] (NCHW), output [batch, out, h', w'] where h', w' are the convolution's
 * output size for an input of {@code upsampling·h × upsampling·w}. For the usual decoder stage
 * (upsampling 2, a 3×3 kernel, stride 1, same padding, no dilation) on float input the layer never
 * builds the upsampled array: each output pixel sees a 2×2 window of the input, so the
 * convolution runs as one 2×2 convolution with four times the channels on the input itself ({@link
 * OneDnnUpsamplingConvolution}, when oneDNN's natives are present), with less than half the
 * multiply-adds; its values equal upsampling then convolving up to float summation order. Any
 * other configuration, data type or missing oneDNN upsamples explicitly and runs DL4J's
 * convolution.
 *
 * <p>Build it with {@link Builder}, which has all of {@link ConvolutionLayer.Builder}'s options and
 * the upsampling factor.
 */
public class UpsamplingConvolution extends ConvolutionLayer {
  private int upsampling = 2;

  /** For JSON deserialisation. */
  public UpsamplingConvolution() {}

  private UpsamplingConvolution(Builder builder) {
    super(builder);
    this.upsampling = builder.upsampling;
  }

  /** The factor the input's height and width are multiplied by before the convolution, &gt;= 1. */
  public int getUpsampling() {
    return upsampling;
  }

  /** See {@link #getUpsampling()}. */
  public void setUpsampling(int upsampling) {
    this.upsampling = upsampling;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return super.getOutputType(layerIndex, upsampled(inputType));
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    return super.getMemoryReport(upsampled(inputType));
  }

  private InputType upsampled(InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeConvolutional c)) {
      throw new IllegalStateException("UpsamplingConvolution layer '" + getLayerName()
          + "' needs a convolutional input ([batch, channels, height, width]), got " + inputType);
    }
    return InputType.convolutional(c.getHeight() * upsampling, c.getWidth() * upsampling, c.getChannels(),
        c.getFormat());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpsamplingConvolution other && other.canEqual(this)
        && other.upsampling == upsampling && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    return other instanceof UpsamplingConvolution;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + upsampling;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("UpsamplingConvolution", getLayerName(), layerIndex, getNIn(), getNOut());
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, listeners, layerIndex,
        paramsView, initializeParams);
  }

  /** {@link ConvolutionLayer.Builder} building an {@link UpsamplingConvolution}. */
  public static final class Builder extends ConvolutionLayer.Builder {
    private int upsampling = 2;

    /** @param kernelSize kernel height and width */
    public Builder(int... kernelSize) {
      super(kernelSize);
    }

    /**
     * The factor the input's height and width are multiplied by (nearest neighbour), &gt;= 1;
     * default 2. Call it first in a chain: the other options return DL4J's builder type.
     */
    public Builder upsampling(int factor) {
      if (factor < 1) {
        throw new IllegalArgumentException("upsampling factor must be >= 1, got " + factor);
      }
      this.upsampling = factor;
      return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public UpsamplingConvolution build() {
      org.deeplearning4j.util.ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
      org.deeplearning4j.util.ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
      return new UpsamplingConvolution(this);
    }
  }

  /** The runtime layer. */
  static final class Runtime extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
    private final KeptPreActivation kept = new KeptPreActivation();
    private final OneDnnUpsamplingConvolution phases = new OneDnnUpsamplingConvolution();
    /** Whether the last forward pass took the phase path (for tests). */
    boolean lastOnPhases;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    private UpsamplingConvolution config() {
      return (UpsamplingConvolution) layerConf();
    }

    /** Whether this input takes the phase path (see the class comment). */
    private boolean phasePath() {
      UpsamplingConvolution c = config();
      int[] k = c.getKernelSize();
      int[] s = c.getStride();
      int[] d = c.getDilation();
      int[] p = c.getPadding();
      boolean same = convolutionMode == ConvolutionMode.Same
          || p[0] == 1 && p[1] == 1 && convolutionMode != ConvolutionMode.Causal;
      return c.getUpsampling() == OneDnnUpsamplingConvolution.FACTOR
          && k[0] == OneDnnUpsamplingConvolution.KERNEL && k[1] == OneDnnUpsamplingConvolution.KERNEL
          && s[0] == 1 && s[1] == 1 && d[0] == 1 && d[1] == 1 && same
          && c.getCnn2dDataFormat() == CNN2DFormat.NCHW && dataType == DataType.FLOAT
          && c.getIDropout() == null && c.getWeightNoise() == null
          && OneDnnUpsamplingConvolution.takes(input);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(false);
      lastOnPhases = phasePath();
      if (!lastOnPhases) {
        INDArray low = input;
        input = upsample(low, ArrayType.FF_WORKING_MEM, workspaceMgr);
        try {
          return super.activate(training, workspaceMgr);
        } finally {
          input = low;
        }
      }
      INDArray z = phaseForward(training, workspaceMgr);
      if (training) {
        kept.keep(input, z, layerConf().getActivationFn(), workspaceMgr);
      }
      return layerConf().getActivationFn().getActivation(z, training);
    }

    private INDArray phaseForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
      INDArray bias = hasBias()
          ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
      return phases.forward(input, weights, bias, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(true);
      if (!phasePath()) {
        INDArray low = input;
        input = upsample(low, ArrayType.BP_WORKING_MEM, workspaceMgr);
        Pair<Gradient, INDArray> up;
        try {
          up = super.backpropGradient(epsilon, workspaceMgr);
        } finally {
          input = low;
        }
        INDArray below = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, up.getSecond().dataType(),
            low.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("upsampling_bp")
            .addIntegerArguments(1) // NCHW
            .addInputs(low, up.getSecond())
            .addOutputs(below)
            .callInplace(false)
            .build());
        return new Pair<>(up.getFirst(), below);
      }
      INDArray z = kept.take(input);
      if (z == null) {
        z = phaseForward(true, workspaceMgr);
      }
      if (epsilon.dataType() != dataType) {
        epsilon = epsilon.castTo(dataType);
      }
      INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
      if (!OneDnnUpsamplingConvolution.takes(delta)) {
        delta = workspaceMgr.dup(ArrayType.BP_WORKING_MEM, delta, 'c');
      }
      INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
      INDArray biasGrad = hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
      INDArray epsilonBelow = phases.backward(input, delta,
          getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr), weightGrad, biasGrad,
          true, workspaceMgr);
      Gradient gradient = new DefaultGradient();
      if (biasGrad != null) {
        gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGrad);
      }
      gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGrad, 'c');
      weightNoiseParams.clear();
      return new Pair<>(gradient, epsilonBelow);
    }

    /** The input upsampled by nearest neighbour, as DL4J's {@code Upsampling2D} layer computes it. */
    private INDArray upsample(INDArray low, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
      int f = config().getUpsampling();
      if (f == 1) {
        return low;
      }
      if (low.rank() != 4 || config().getCnn2dDataFormat() != CNN2DFormat.NCHW) {
        throw new IllegalStateException("UpsamplingConvolution layer '" + config().getLayerName()
            + "' needs NCHW input of rank 4, got shape " + java.util.Arrays.toString(low.shape())
            + " with format " + config().getCnn2dDataFormat());
      }
      INDArray up = workspaceMgr.createUninitialized(type, low.dataType(),
          new long[] {low.size(0), low.size(1), low.size(2) * f, low.size(3) * f}, 'c');
      Nd4j.exec(DynamicCustomOp.builder("upsampling2d")
          .addIntegerArguments(f, f, 1) // NCHW
          .addInputs(low)
          .addOutputs(up)
          .callInplace(false)
          .build());
      return up;
    }

    @Override
    public void clear() {
      super.clear();
      kept.clear();
    }
  }
}
