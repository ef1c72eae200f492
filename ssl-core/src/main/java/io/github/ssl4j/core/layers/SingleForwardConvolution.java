package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.OneDnn;
import io.github.ssl4j.core.dl4j.OneDnnConvolution;
import io.github.ssl4j.core.dl4j.OneDnnLayouts;
import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's 2-D {@link ConvolutionLayer} whose backward pass does not run the convolution a second
 * time.
 *
 * <p>DL4J 1.0.0-M2.1's convolution layer recomputes its pre-activation output at the start of
 * every backward pass, to differentiate the activation function. With oneDNN that is one extra
 * forward convolution per layer and step. This layer keeps the
 * pre-activation of its training forward pass instead (the array itself for the identity
 * activation, which every ssl4j encoder uses before batch norm; a copy for other activations,
 * which DL4J applies in place) and hands it to the backward pass that follows on the same input.
 * Anything else (inference, no oneDNN helper, e.g. in double precision, a different input) takes
 * DL4J's own path unchanged. Parameters, gradients and serialised form are those of {@link
 * ConvolutionLayer}; build it with {@link Builder}, which has all of {@link
 * ConvolutionLayer.Builder}'s options.
 *
 * <p>With {@link Builder#inputGradient(boolean) inputGradient(false)}, for a first layer fed by
 * the network's input, the backward pass computes only the weight and bias gradients and returns
 * no input gradient (DL4J would compute it and throw it away). For NCHW float input the weight and
 * bias gradients then come from oneDNN's backward-weights primitive alone ({@link
 * OneDnnConvolution}, when oneDNN's natives are present; {@link OneDnn}), else from one batched
 * matrix product of the output gradient with the input's patches (im2col).
 *
 * <p>During a training step ({@link OneDnnLayouts#during}) a layer whose output goes only to a
 * layer that reads oneDNN's layouts (batch norm, max pooling; linked by {@code LayerHelpers}), or
 * whose input arrives in such a layout, runs its passes on oneDNN directly ({@link
 * OneDnnConvolution}) and leaves its output (identity activation) and input gradient in oneDNN's
 * blocked layout, so that the chain needs no reorder per layer. Float NCHW without input dropout
 * or weight noise only; values are those of the other paths within float rounding.
 *
 * <p>A stride-1 convolution with an odd kernel, same-size output and few output channels (out ·
 * kH · kW ≤ in, e.g. a 32 → 1 image-output layer) also takes its own backward pass: the patches of
 * the output gradient (im2col) times the flipped kernel give the input gradient, and the input
 * times the same patches the weight gradient, each one batched product. oneDNN pads such an
 * output to 16 channels and runs a Winograd backward pass on it.
 */
public class SingleForwardConvolution extends ConvolutionLayer {

  private boolean inputGradient = true;

  /** For JSON deserialisation. */
  public SingleForwardConvolution() {}

  private SingleForwardConvolution(Builder builder) {
    super(builder);
    this.inputGradient = builder.inputGradient;
  }

  /** Whether the backward pass computes the gradient with respect to the layer's input. */
  public boolean isInputGradient() {
    return inputGradient;
  }

  /** See {@link Builder#inputGradient(boolean)}. */
  public void setInputGradient(boolean inputGradient) {
    this.inputGradient = inputGradient;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SingleForwardConvolution other && other.canEqual(this)
        && other.inputGradient == inputGradient && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    return other instanceof SingleForwardConvolution;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Boolean.hashCode(inputGradient);
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet(
        "SingleForwardConvolution", getLayerName(), layerIndex, getNIn(), getNOut());
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, listeners,
        layerIndex, paramsView, initializeParams);
  }

  /** {@link ConvolutionLayer.Builder} building a {@link SingleForwardConvolution}. */
  public static final class Builder extends ConvolutionLayer.Builder {
    private boolean inputGradient = true;

    /** @param kernelSize kernel height and width */
    public Builder(int... kernelSize) {
      super(kernelSize);
    }

    /**
     * {@code false}: the backward pass returns no gradient for the layer's input (only for a layer
     * whose input is a network input, whose gradient nobody uses; a layer below would get none).
     * Default {@code true}. Call it first in a chain: the other options return DL4J's builder type.
     */
    public Builder inputGradient(boolean inputGradient) {
      this.inputGradient = inputGradient;
      return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public SingleForwardConvolution build() {
      ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
      ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
      return new SingleForwardConvolution(this);
    }
  }

  /** The runtime layer: keeps its last training pre-activation for the backward pass. */
  static final class Runtime extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer
      implements OneDnnLayouts.Layer {
    private final KeptPreActivation kept = new KeptPreActivation();
    private final OneDnnConvolution oneDnn = new OneDnnConvolution();
    /** Whether the kept pre-activation came from the oneDNN forward pass (then so does backprop). */
    private boolean keptFromOneDnn;
    /** Whether the layer above reads oneDNN layouts, so the output may stay in one. */
    private boolean oneDnnOutput;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    /** True when DL4J's helper path runs, where the backward pass needs only the pre-activation. */
    private boolean reusable() {
      return helper != null && helperCountFail == 0;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(
        boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
      INDArray z = kept.take(input);
      if (forBackprop) {
        if (z != null && (reusable() || keptFromOneDnn)) {
          return new Pair<>(z, null);
        }
        return super.preOutput(training, true, workspaceMgr);
      }
      boolean oneDnn = oneDnnForward(training);
      Pair<INDArray, INDArray> result = oneDnn
          ? new Pair<>(oneDnnPreOutput(training, workspaceMgr), null)
          : super.preOutput(training, false, workspaceMgr);
      if (training && (reusable() || oneDnn)) {
        kept.keep(input, result.getFirst(), layerConf().getActivationFn(), workspaceMgr);
        keptFromOneDnn = oneDnn;
      }
      return result;
    }

    /**
     * Whether the forward pass runs on oneDNN directly: when the input arrives in a oneDNN layout
     * (only this path reads it), or when the output may be left in one for the layer above.
     */
    private boolean oneDnnForward(boolean training) {
      return OneDnnConvolution.inOneDnnLayout(input)
          || training && oneDnnOutput && OneDnnConvolution.takes(input) && readsOneDnnLayouts();
    }

    private INDArray oneDnnPreOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
      INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
      INDArray bias = hasBias() ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
      OneDnnConvolution.Geometry g = geometry(input, (SingleForwardConvolution) layerConf());
      if (g == null) {
        throw new IllegalStateException("layer '" + layerConf().getLayerName() + "': input "
            + java.util.Arrays.toString(input.shape()) + " has no oneDNN convolution geometry");
      }
      return oneDnn.forward(g, input, weights, bias,
          oneDnnOutput && layerConf().getActivationFn() instanceof ActivationIdentity, workspaceMgr);
    }

    /** The convolution's geometry for an NCHW input, or null if oneDNN cannot express it. */
    private OneDnnConvolution.Geometry geometry(INDArray in, SingleForwardConvolution c) {
      int[][] padAndOut = padAndOutputSize(in, c);
      return OneDnnConvolution.Geometry.of(in.shape(),
          new long[] {in.size(0), c.getNOut(), padAndOut[1][0], padAndOut[1][1]},
          c.getKernelSize(), c.getStride(), padAndOut[0], c.getDilation(), hasBias());
    }

    /** {top-left padding, output size} for an NCHW input (same mode: DL4J's top-left padding). */
    private int[][] padAndOutputSize(INDArray in, SingleForwardConvolution c) {
      int[] kernel = c.getKernelSize();
      int[] strides = c.getStride();
      int[] dilation = c.getDilation();
      if (convolutionMode == ConvolutionMode.Same) {
        int[] outSize = ConvolutionUtils.getOutputSize(in, kernel, strides, null, convolutionMode, dilation,
            CNN2DFormat.NCHW);
        return new int[][] {ConvolutionUtils.getSameModeTopLeftPadding(outSize,
            new int[] {(int) in.size(2), (int) in.size(3)}, kernel, strides, dilation), outSize};
      }
      int[] pad = c.getPadding();
      return new int[][] {pad, ConvolutionUtils.getOutputSize(in, kernel, strides, pad, convolutionMode, dilation,
          CNN2DFormat.NCHW)};
    }

    @Override
    public boolean readsOneDnnLayouts() {
      SingleForwardConvolution c = (SingleForwardConvolution) layerConf();
      return OneDnn.available() && dataType == DataType.FLOAT && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
          && c.getIDropout() == null && c.getWeightNoise() == null && !(c.isInputGradient() && narrowOutput(c));
    }

    @Override
    public void oneDnnOutput(boolean allowed) {
      this.oneDnnOutput = allowed;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(true);
      SingleForwardConvolution c = (SingleForwardConvolution) layerConf();
      if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW || input.rank() != 4) {
        return super.backpropGradient(epsilon, workspaceMgr);
      }
      boolean narrow = c.isInputGradient() && narrowOutput(c);
      boolean oneDnnPath = keptFromOneDnn && kept.holds(input) || OneDnnConvolution.inOneDnnLayout(input)
          || OneDnnConvolution.inOneDnnLayout(epsilon);
      if (c.isInputGradient() && !narrow && !oneDnnPath) {
        return super.backpropGradient(epsilon, workspaceMgr);
      }
      INDArray in = input.castTo(dataType);
      if (epsilon.dataType() != dataType) {
        epsilon = epsilon.castTo(dataType);
      }
      INDArray z = preOutput4d(true, true, workspaceMgr).getFirst();
      INDArray delta = c.getActivationFn().backprop(z, epsilon).getFirst();
      INDArray epsilonBelow = null;
      if (oneDnnPath) {
        OneDnnConvolution.Geometry g = geometry(in, c);
        if (c.isInputGradient()) {
          epsilonBelow = oneDnn.inputGradient(g, in, delta,
              getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr), workspaceMgr);
        }
        oneDnn.weightGradients(g, in, delta, gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY),
            hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null, workspaceMgr);
      } else if (narrow) {
        epsilonBelow = narrowOutputGradients(in, delta, c, workspaceMgr);
      } else {
        weightGradients(in, delta, c, workspaceMgr);
      }
      Gradient gradient = gradientOfParameters();
      weightNoiseParams.clear();
      return new Pair<>(gradient, epsilonBelow == null ? null : backpropDropOutIfPresent(epsilonBelow));
    }

    private Gradient gradientOfParameters() {
      Gradient gradient = new DefaultGradient();
      if (hasBias()) {
        gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY,
            gradientViews.get(ConvolutionParamInitializer.BIAS_KEY));
      }
      gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY,
          gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), 'c');
      return gradient;
    }

    /**
     * Whether the output is so narrow that its gradient's patches (outChannels·kH·kW rows per
     * position) are no larger than the input, for a stride-1, undilated NCHW convolution with an odd
     * kernel whose output has the input's size (same padding). oneDNN pads such outputs to 16
     * channels and picks a Winograd backward pass (e.g. for a 32 → 1 image-output layer).
     */
    private boolean narrowOutput(SingleForwardConvolution c) {
      int[] k = c.getKernelSize();
      int[] stride = c.getStride();
      int[] dilation = c.getDilation();
      int[] pad = c.getPadding();
      boolean sameSize = convolutionMode == ConvolutionMode.Same
          || (pad[0] == (k[0] - 1) / 2 && pad[1] == (k[1] - 1) / 2);
      return k[0] % 2 == 1 && k[1] % 2 == 1 && stride[0] == 1 && stride[1] == 1
          && dilation[0] == 1 && dilation[1] == 1 && sameSize
          && c.getNOut() * k[0] * k[1] <= c.getNIn();
    }

    /**
     * Backward pass of a {@link #narrowOutput narrow-output} convolution from the patches of the
     * output gradient, D = im2col(delta) [batch, outChannels·kH·kW, H·W]: the input gradient is
     * M·D per example with M[c, (o, kh, kw)] = W[o, c, kH−1−kh, kW−1−kw] (the kernel flipped), and
     * the weight gradient is Σ_n x[n]·D[n]ᵀ read back through the same flip; bias: Σ delta.
     *
     * @return the gradient with respect to the input
     */
    private INDArray narrowOutputGradients(INDArray in, INDArray delta, SingleForwardConvolution c,
        LayerWorkspaceMgr workspaceMgr) {
      int[] kernel = c.getKernelSize();
      long batch = in.size(0);
      long inChannels = in.size(1);
      long positions = in.size(2) * in.size(3);
      long outChannels = delta.size(1);
      int kh = kernel[0];
      int kw = kernel[1];
      long rows = outChannels * kh * kw;
      INDArray patches = workspaceMgr.createUninitialized(
          ArrayType.BP_WORKING_MEM, dataType, new long[] {batch, outChannels, kh, kw, in.size(2), in.size(3)}, 'c');
      Convolution.im2col(delta, kh, kw, 1, 1, (kh - 1) / 2, (kw - 1) / 2, 1, 1, false, patches);
      INDArray d3 = patches.reshape('c', batch, rows, positions);

      double[] w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr).dup('c').data().asDouble();
      int[] flipped = flippedIndex((int) outChannels, (int) inChannels, kh, kw);
      double[] m = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        m[flipped[i]] = w[i];
      }
      INDArray perExampleM = Nd4j.createFromArray(m).castTo(dataType)
          .reshape(1, inChannels, rows).broadcast(batch, inChannels, rows);
      INDArray epsilonBelow = workspaceMgr.createUninitialized(
          ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
      Nd4j.exec(new Mmul(perExampleM, d3, epsilonBelow.reshape('c', batch, inChannels, positions),
          MMulTranspose.allFalse()));

      INDArray perExample = workspaceMgr.createUninitialized(
          ArrayType.BP_WORKING_MEM, dataType, new long[] {batch, inChannels, rows}, 'c');
      Nd4j.exec(new Mmul(in.reshape('c', batch, inChannels, positions), d3, perExample,
          MMulTranspose.builder().transposeB(true).build()));
      double[] g = perExample.sum(0).data().asDouble();
      double[] dw = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        dw[i] = g[flipped[i]];
      }
      INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
      weightGrad.assign(Nd4j.createFromArray(dw).castTo(dataType).reshape(weightGrad.shape()));
      if (hasBias()) {
        INDArray biasGrad = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
        biasGrad.assign(delta.reshape('c', batch, outChannels, positions).sum(2).sum(0)
            .reshape(biasGrad.shape()));
      }
      return epsilonBelow;
    }

    /**
     * For each weight W[o, c, kh, kw] (index in its 'c'-ordered [out, in, kH, kW] array), its index
     * in M [in, out·kH·kW] with the kernel flipped: M[c, (o, kH−1−kh, kW−1−kw)].
     */
    private static int[] flippedIndex(int outChannels, int inChannels, int kh, int kw) {
      int rows = outChannels * kh * kw;
      int[] index = new int[outChannels * inChannels * kh * kw];
      for (int o = 0; o < outChannels; o++) {
        for (int ch = 0; ch < inChannels; ch++) {
          for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
              index[((o * inChannels + ch) * kh + i) * kw + j] =
                  ch * rows + (o * kh + (kh - 1 - i)) * kw + (kw - 1 - j);
            }
          }
        }
      }
      return index;
    }

    /**
     * Weight (and bias) gradients into their views: with the input's patches {@code cols}
     * [batch, inChannels·kH·kW, outH·outW] (contiguous, so im2col writes them in one pass) and the
     * output gradient as [batch, outChannels, outH·outW], one batched product gives [batch,
     * outChannels, K]; its sum over the batch is dW. The bias gradient is the output gradient summed
     * over positions and the batch.
     */
    private void weightGradients(INDArray in, INDArray delta, SingleForwardConvolution c,
        LayerWorkspaceMgr workspaceMgr) {
      OneDnnConvolution.Geometry g = geometry(in, c);
      INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
      INDArray biasGrad = hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
      if (g != null && OneDnn.available() && OneDnnConvolution.takes(in) && OneDnnConvolution.takes(delta)
          && OneDnnConvolution.takes(weightGrad) && (biasGrad == null || OneDnnConvolution.takes(biasGrad))) {
        oneDnn.weightGradients(g, in, delta, weightGrad, biasGrad, workspaceMgr);
        return;
      }
      int[] kernel = c.getKernelSize();
      int[] strides = c.getStride();
      int[] dilation = c.getDilation();
      int[][] padAndOut = padAndOutputSize(in, c);
      int[] pad = padAndOut[0];
      int[] outSize = padAndOut[1];
      long batch = in.size(0);
      long inChannels = in.size(1);
      long outChannels = delta.size(1);
      long positions = (long) outSize[0] * outSize[1];
      long k = inChannels * kernel[0] * kernel[1];
      INDArray patches = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
          new long[] {batch, inChannels, kernel[0], kernel[1], outSize[0], outSize[1]}, 'c');
      Convolution.im2col(in, kernel[0], kernel[1], strides[0], strides[1], pad[0], pad[1],
          dilation[0], dilation[1], convolutionMode == ConvolutionMode.Same, patches);
      INDArray cols = patches.reshape('c', batch, k, positions);
      INDArray delta3 = delta.reshape('c', batch, outChannels, positions);
      INDArray perExample = workspaceMgr.createUninitialized(
          ArrayType.BP_WORKING_MEM, dataType, new long[] {batch, outChannels, k}, 'c');
      Nd4j.exec(new Mmul(delta3, cols, perExample, MMulTranspose.builder().transposeB(true).build()));
      INDArray weightGrad2d = Shape.newShapeNoCopy(
          gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), new long[] {outChannels, k}, false);
      weightGrad2d.assign(perExample.sum(0));
      if (hasBias()) {
        gradientViews.get(ConvolutionParamInitializer.BIAS_KEY)
            .assign(delta3.sum(2).sum(0).reshape(1, outChannels));
      }
    }

    @Override
    public void clear() {
      super.clear();
      kept.clear();
    }
  }
}
