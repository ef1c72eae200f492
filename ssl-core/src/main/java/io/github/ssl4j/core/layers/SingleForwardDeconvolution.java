package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer;
import org.deeplearning4j.nn.params.DeconvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's 2-D transposed convolution ({@link Deconvolution2D}) whose backward pass does not run
 * the transposed convolution a second time, and whose bias is added by a broadcast.
 *
 * <p>DL4J 1.0.0-M2.1's {@code Deconvolution2DLayer} recomputes its pre-activation output at the
 * start of every backward pass, to differentiate the activation function; and libnd4j hands the
 * bias to oneDNN, whose transposed convolution then adds it with a per-element reference loop.
 * For NCHW input this layer runs the transposed convolution without the bias, adds the bias to
 * each channel itself, keeps the training pre-activation (a copy unless the activation is the
 * identity: DL4J applies activations in place) and differentiates the activation from it in the
 * backward pass that follows on the same input; the bias gradient is the output gradient summed
 * over the batch and positions. Anything else (NHWC, inference, a different input) takes DL4J's
 * own path. Parameters, gradients and the parameter layout are those of {@link Deconvolution2D};
 * build it with {@link Builder}, which has all of {@link Deconvolution2D.Builder}'s options.
 */
public class SingleForwardDeconvolution extends Deconvolution2D {

  /** For JSON deserialisation. */
  public SingleForwardDeconvolution() {}

  private SingleForwardDeconvolution(Builder builder) {
    super(builder);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SingleForwardDeconvolution other && other.canEqual(this) && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    return other instanceof SingleForwardDeconvolution;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + 1;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet(
        "SingleForwardDeconvolution", getLayerName(), layerIndex, getNIn(), getNOut());
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, listeners,
        layerIndex, paramsView, initializeParams);
  }

  /** {@link Deconvolution2D.Builder} building a {@link SingleForwardDeconvolution}. */
  public static final class Builder extends Deconvolution2D.Builder {
    /** @param kernelSize kernel height and width */
    public Builder(int... kernelSize) {
      super(kernelSize);
    }

    @Override
    public SingleForwardDeconvolution build() {
      ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
      ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
      return new SingleForwardDeconvolution(this);
    }
  }

  /** The runtime layer: keeps its last training pre-activation for the backward pass. */
  static final class Runtime extends Deconvolution2DLayer {
    private final KeptPreActivation kept = new KeptPreActivation();

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    private boolean ownPath() {
      return layerConf().getCnn2dDataFormat() == CNN2DFormat.NCHW && input != null && input.rank() == 4;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(
        boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
      INDArray keptZ = kept.take(input);
      if (!ownPath()) {
        return super.preOutput(training, forBackprop, workspaceMgr);
      }
      if (forBackprop && keptZ != null) {
        return new Pair<>(keptZ, null);
      }
      INDArray z = transposedConvolution(training, workspaceMgr);
      if (training && !forBackprop) {
        kept.keep(input, z, layerConf().getActivationFn(), workspaceMgr);
      }
      return new Pair<>(z, null);
    }

    /** libnd4j's {@code deconv2d} without the bias, then the bias added to each channel. */
    private INDArray transposedConvolution(boolean training, LayerWorkspaceMgr workspaceMgr) {
      Deconvolution2D c = (Deconvolution2D) layerConf();
      INDArray weights = getParamWithNoise(DeconvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
      if (input.size(1) != weights.size(0)) {
        return super.preOutput(training, false, workspaceMgr).getFirst(); // DL4J's error message
      }
      int[] kernel = c.getKernelSize();
      int[] strides = c.getStride();
      int[] dilation = c.getDilation();
      int[] pad;
      int[] outSize;
      int inH = (int) input.size(2);
      int inW = (int) input.size(3);
      if (convolutionMode == ConvolutionMode.Same) {
        outSize = ConvolutionUtils.getDeconvolutionOutputSize(input, kernel, strides, null,
            convolutionMode, dilation, CNN2DFormat.NCHW);
        pad = ConvolutionUtils.getSameModeTopLeftPadding(outSize, new int[] {inH, inW}, kernel,
            strides, dilation);
      } else {
        pad = c.getPadding();
        outSize = ConvolutionUtils.getDeconvolutionOutputSize(input, kernel, strides, pad,
            convolutionMode, dilation, CNN2DFormat.NCHW);
      }
      long batch = input.size(0);
      long outChannels = weights.size(1);
      INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(),
          new long[] {batch, outChannels, outSize[0], outSize[1]}, 'c');
      if (narrowOutput(weights, dilation)) {
        narrowTransposedConvolution(weights, kernel, strides, pad, output, workspaceMgr);
      } else {
        // DL4J weights [in, out, kH, kW]; libnd4j's [kH, kW, out, in]
        Nd4j.exec(DynamicCustomOp.builder("deconv2d")
            .addInputs(input, weights.permute(2, 3, 1, 0))
            .addIntegerArguments(opArguments(kernel, strides, pad, dilation))
            .addOutputs(output)
            .callInplace(false)
            .build());
      }
      if (c.hasBias()) {
        INDArray bias = getParamWithNoise(DeconvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
        INDArray perRow = bias.reshape(1, outChannels).repeat(0, batch).reshape(batch * outChannels, 1);
        output.reshape('c', batch * outChannels, (long) outSize[0] * outSize[1]).addiColumnVector(perRow);
      }
      return output;
    }

    /**
     * Whether the output is so narrow (outChannels·kH·kW ≤ inChannels, e.g. a 32 → 1 image-output
     * layer) that the output's patches are no larger than the input, undilated and with explicit
     * padding. oneDNN runs such a transposed convolution far below its usual speed.
     */
    private boolean narrowOutput(INDArray weights, int[] dilation) {
      return dilation[0] == 1 && dilation[1] == 1 && convolutionMode != ConvolutionMode.Same
          && weights.size(1) * weights.size(2) * weights.size(3) <= weights.size(0);
    }

    /**
     * The transposed convolution of a {@link #narrowOutput narrow-output} layer as the adjoint of
     * im2col: per example the patches P[n] = Wᵀ·x[n] [outChannels·kH·kW, H·W], with W the weights
     * as [inChannels, outChannels·kH·kW], one batched product; then col2im sums the patches into
     * the output.
     */
    private void narrowTransposedConvolution(INDArray weights, int[] kernel, int[] strides, int[] pad,
        INDArray output, LayerWorkspaceMgr workspaceMgr) {
      long batch = input.size(0);
      long inChannels = input.size(1);
      long inH = input.size(2);
      long inW = input.size(3);
      long outChannels = weights.size(1);
      long rows = outChannels * kernel[0] * kernel[1];
      INDArray perExampleWt = weights.dup('c').reshape('c', inChannels, rows).transpose()
          .reshape(1, rows, inChannels).broadcast(batch, rows, inChannels);
      INDArray patches = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType,
          new long[] {batch, outChannels, kernel[0], kernel[1], inH, inW}, 'c');
      Nd4j.exec(new Mmul(perExampleWt, input.reshape('c', batch, inChannels, inH * inW),
          patches.reshape('c', batch, rows, inH * inW), MMulTranspose.allFalse()));
      // Convolution.col2im's two size arguments after the padding are the image's height and width
      Convolution.col2im(patches, output, strides[0], strides[1], pad[0], pad[1],
          (int) output.size(2), (int) output.size(3), 1, 1);
    }

    private int[] opArguments(int[] kernel, int[] strides, int[] pad, int[] dilation) {
      return new int[] {kernel[0], kernel[1], strides[0], strides[1], pad[0], pad[1],
          dilation[0], dilation[1], convolutionMode == ConvolutionMode.Same ? 1 : 0, 0};
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(true);
      if (!ownPath()) {
        return super.backpropGradient(epsilon, workspaceMgr);
      }
      Deconvolution2D c = (Deconvolution2D) layerConf();
      INDArray weights = getParamWithNoise(DeconvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
      int[] kernel = c.getKernelSize();
      int[] strides = c.getStride();
      int[] dilation = c.getDilation();
      int[] pad = convolutionMode == ConvolutionMode.Same
          ? ConvolutionUtils.getSameModeTopLeftPadding(
              new int[] {(int) epsilon.size(2), (int) epsilon.size(3)},
              new int[] {(int) input.size(2), (int) input.size(3)}, kernel, strides, dilation)
          : c.getPadding();
      INDArray z = preOutput(true, true, workspaceMgr).getFirst();
      INDArray delta = c.getActivationFn().backprop(z, epsilon).getFirst();

      INDArray weightGrad = gradientViews.get(DeconvolutionParamInitializer.WEIGHT_KEY);
      INDArray epsilonBelow = workspaceMgr.createUninitialized(
          ArrayType.ACTIVATION_GRAD, weights.dataType(), input.shape(), 'c');
      Nd4j.exec(DynamicCustomOp.builder("deconv2d_bp")
          .addInputs(input, weights.permute(2, 3, 1, 0), delta)
          .addIntegerArguments(opArguments(kernel, strides, pad, dilation))
          .addOutputs(epsilonBelow, weightGrad.permute(2, 3, 1, 0))
          .callInplace(false)
          .build());

      Gradient gradient = new DefaultGradient();
      if (c.hasBias()) {
        INDArray biasGrad = gradientViews.get(DeconvolutionParamInitializer.BIAS_KEY);
        long batch = delta.size(0);
        long channels = delta.size(1);
        biasGrad.assign(delta.reshape('c', batch, channels, delta.size(2) * delta.size(3))
            .sum(2).sum(0).reshape(biasGrad.shape()));
        gradient.setGradientFor(DeconvolutionParamInitializer.BIAS_KEY, biasGrad);
      }
      gradient.setGradientFor(DeconvolutionParamInitializer.WEIGHT_KEY, weightGrad, 'c');
      weightNoiseParams.clear();
      return new Pair<>(gradient, backpropDropOutIfPresent(epsilonBelow));
    }

    @Override
    public void clear() {
      super.clear();
      kept.clear();
    }
  }
}
