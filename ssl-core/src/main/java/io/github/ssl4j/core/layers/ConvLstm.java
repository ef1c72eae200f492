package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A convolutional LSTM layer (Shi et al. 2015, "Convolutional LSTM Network", without peephole
 * connections): an LSTM whose input-to-state and state-to-state transforms are convolutions, so
 * the hidden state keeps the spatial map instead of squeezing it through a dense bottleneck. DL4J
 * 1.0.0-M2.1 has no such layer.
 *
 * <p>Per time step t, with {@code *} a stride-1 convolution with 'same' zero padding and ⊙ the
 * element-wise product:
 *
 * <pre>
 *   [i, f, o, g] = Wx * x_t + Wh * h_{t-1} + b        (4·filters channels, in this order)
 *   c_t = σ(f) ⊙ c_{t-1} + σ(i) ⊙ tanh(g)
 *   h_t = σ(o) ⊙ tanh(c_t)
 * </pre>
 *
 * with h_0 = c_0 = 0. The output is h_1..h_T.
 *
 * <p><b>I/O format</b>: DL4J recurrent (NCW) time series, so that {@code CnnToRnnPreProcessor} /
 * {@code RnnToCnnPreProcessor} can wrap it. Input {@code [batch, channels*height*width, time]},
 * output {@code [batch, filters*height*width, time]}, each time step's column a feature map
 * flattened in (channel, row, column) order — exactly what {@code CnnToRnnPreProcessor(height,
 * width, channels)} produces. Give the graph {@code InputType.recurrent(channels*height*width)}.
 *
 * <p><b>Parameters</b>: {@code Wx} shape {@code [k, k, channels, 4*filters]}, {@code Wh} shape
 * {@code [k, k, filters, 4*filters]} (SameDiff's YXIO layout: kernel row, kernel column, input
 * channel, output channel) and {@code b} shape {@code [4*filters]}, gate blocks in the order i, f,
 * o, g. Weights start with the builder's weight init (Xavier by default, fan-in {@code k*k*in
 * channels}, fan-out {@code k*k*4*filters}); the bias is 0 except the forget gate's, which starts
 * at {@link Builder#forgetGateBiasInit} (1.0 by default, the customary choice since Gers et al.
 * 2000: the cell remembers by default early in training).
 *
 * <p><b>Implementation</b>: a SameDiff layer unrolled over the time steps of its input (the graph
 * is built for the sequence length of the first input and rebuilt when a later input has another
 * length), on {@link CorrectedSameDiffLayer} so that gradients are right despite DL4J bug B2.
 * It is not a DL4J {@code RecurrentLayer}: {@code rnnTimeStep} does not carry its state, and
 * masks are ignored (the layer is causal, so padding at the end of a sequence does not change the
 * earlier outputs; mask the loss as usual).
 *
 * <pre>{@code
 * graph.addLayer("head/convlstm",
 *     ConvLstm.builder(64, 16, 16, 64).kernelSize(3).build(),   // 64x16x16 maps, 64 filters
 *     "head/maps");                                                // [n, 64*16*16, time]
 * }</pre>
 */
public final class ConvLstm extends CorrectedSameDiffLayer {
  /** Input-to-state weights, {@code [k, k, channels, 4*filters]}. */
  public static final String INPUT_WEIGHTS = "Wx";
  /** State-to-state weights, {@code [k, k, filters, 4*filters]}. */
  public static final String RECURRENT_WEIGHTS = "Wh";
  /** Gate biases, {@code [4*filters]}, blocks i, f, o, g. */
  public static final String BIAS = "b";

  @JsonProperty
  private int channels;
  @JsonProperty
  private int height;
  @JsonProperty
  private int width;
  @JsonProperty
  private int filters;
  @JsonProperty
  private int kernelSize;
  @JsonProperty
  private double forgetGateBiasInit;

  // Private fields annotated for DL4J's (shaded) Jackson: the configuration is saved as JSON.

  /** For JSON deserialisation only. */
  private ConvLstm() {}

  private ConvLstm(Builder b) {
    super(b);
    this.channels = b.channels;
    this.height = b.height;
    this.width = b.width;
    this.filters = b.filters;
    this.kernelSize = b.kernelSize;
    this.forgetGateBiasInit = b.forgetGateBiasInit;
  }

  /**
   * A builder for a ConvLSTM over {@code channels x height x width} maps with {@code filters}
   * output channels; kernel 3 and forget-gate bias 1.0 by default.
   */
  public static Builder builder(int channels, int height, int width, int filters) {
    return new Builder(channels, height, width, filters);
  }

  /** Input channels per map. */
  public int channels() {
    return channels;
  }

  /** Map height (rows). */
  public int height() {
    return height;
  }

  /** Map width (columns). */
  public int width() {
    return width;
  }

  /** Output channels (hidden and cell state channels). */
  public int filters() {
    return filters;
  }

  /** Convolution kernel size (odd; both directions). */
  public int kernelSize() {
    return kernelSize;
  }

  /** Initial value of the forget gate's bias. */
  public double forgetGateBiasInit() {
    return forgetGateBiasInit;
  }

  /** Size of one input time step, {@code channels*height*width}. */
  public long inputSize() {
    return (long) channels * height * width;
  }

  /** Size of one output time step, {@code filters*height*width}. */
  public long outputSize() {
    return (long) filters * height * width;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(INPUT_WEIGHTS, kernelSize, kernelSize, channels, 4L * filters);
    params.addWeightParam(RECURRENT_WEIGHTS, kernelSize, kernelSize, filters, 4L * filters);
    params.addBiasParam(BIAS, 4L * filters);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    int area = kernelSize * kernelSize;
    initWeights(area * channels, area * 4 * filters, weightInit, params.get(INPUT_WEIGHTS));
    initWeights(area * filters, area * 4 * filters, weightInit, params.get(RECURRENT_WEIGHTS));
    INDArray b = params.get(BIAS);
    b.assign(0);
    b.get(NDArrayIndex.interval(filters, 2L * filters)).assign(forgetGateBiasInit);
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
    long[] shape = input.getShape();
    checkInputShape(shape);
    int steps = (int) shape[2];
    Conv2DConfig conv = Conv2DConfig.builder()
        .kH(kernelSize).kW(kernelSize).sH(1).sW(1).pH(kernelSize / 2).pW(kernelSize / 2)
        .dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
    // Input-to-state convolutions of all steps in one call (one large batch [n*time, ...]); only
    // the state-to-state convolution has to wait for the previous step.
    SDVariable frames = input.permute(0, 2, 1).reshape(-1, channels, height, width); // [n*time, c, h, w]
    SDVariable inputGates = sd.cnn().conv2d(frames, p.get(INPUT_WEIGHTS), p.get(BIAS), conv)
        .reshape(-1, steps, 4L * filters, height, width);
    SDVariable[] perStep = sd.unstack(inputGates, 1, steps); // each [n, 4*filters, h, w]
    SDVariable h = null;
    SDVariable c = null;
    List<SDVariable> outputs = new ArrayList<>(steps);
    for (int t = 0; t < steps; t++) {
      SDVariable gates = perStep[t];
      if (h != null) { // h_0 = 0 contributes nothing
        gates = gates.add(sd.cnn().conv2d(h, p.get(RECURRENT_WEIGHTS), conv));
      }
      SDVariable i = sd.nn().sigmoid(gateBlock(gates, 0));
      SDVariable o = sd.nn().sigmoid(gateBlock(gates, 2));
      SDVariable g = sd.math().tanh(gateBlock(gates, 3));
      // c_0 = 0: no forget gate at t = 0. Every variable must feed the output: SameDiff takes a
      // dangling one (e.g. an unused sigmoid(f)) for the loss and the layer's backward fails.
      c = c == null ? i.mul(g) : sd.nn().sigmoid(gateBlock(gates, 1)).mul(c).add(i.mul(g));
      h = o.mul(sd.math().tanh(c));
      outputs.add(h.reshape(-1, outputSize()));
    }
    return sd.stack(2, outputs.toArray(new SDVariable[0])); // [n, filters*h*w, time]
  }

  private SDVariable gateBlock(SDVariable gates, int block) {
    return gates.get(SDIndex.all(), SDIndex.interval((long) block * filters, (long) (block + 1) * filters),
        SDIndex.all(), SDIndex.all());
  }

  @Override
  public void validateInput(INDArray input) {
    checkInputShape(input.shape());
  }

  private void checkInputShape(long[] shape) {
    if (shape.length != 3 || shape[1] != inputSize() || shape[2] < 1) {
      throw new IllegalArgumentException("ConvLstm expects a time series [batch, channels*height*width"
          + " = " + channels + "*" + height + "*" + width + " = " + inputSize() + ", time >= 1] (DL4J NCW),"
          + " got shape " + Arrays.toString(shape) + "; wrap per-frame feature maps [batch*time, "
          + channels + ", " + height + ", " + width + "] with CnnToRnnPreProcessor(" + height + ", "
          + width + ", " + channels + "), or build the layer for your map size");
    }
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeRecurrent rnn) || rnn.getSize() != inputSize()
        || rnn.getFormat() != RNNFormat.NCW) {
      throw new IllegalArgumentException("ConvLstm (layer " + layerIndex + ") expects input type"
          + " recurrent(" + inputSize() + ") in NCW format (" + channels + "x" + height + "x" + width
          + " maps, flattened per time step), got " + inputType + "; wrap per-frame maps with"
          + " CnnToRnnPreProcessor(" + height + ", " + width + ", " + channels + ") or build the"
          + " layer for your map size");
    }
    return InputType.recurrent(outputSize(), rnn.getTimeSeriesLength());
  }

  @Override
  public String toString() {
    return "ConvLstm[" + channels + "x" + height + "x" + width + " -> " + filters + " filters, kernel "
        + kernelSize + "]";
  }

  public static final class Builder extends SameDiffLayer.Builder<Builder> {
    private final int channels;
    private final int height;
    private final int width;
    private final int filters;
    private int kernelSize = 3;
    private double forgetGateBiasInit = 1.0;

    private Builder(int channels, int height, int width, int filters) {
      this.channels = channels;
      this.height = height;
      this.width = width;
      this.filters = filters;
    }

    /** Convolution kernel size, odd (for 'same' padding); default 3. */
    public Builder kernelSize(int k) {
      this.kernelSize = k;
      return this;
    }

    /** Initial forget-gate bias; default 1.0. */
    public Builder forgetGateBiasInit(double value) {
      this.forgetGateBiasInit = value;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a size is not positive, the kernel is even or the
     *     forget-gate bias is not finite
     */
    @Override
    @SuppressWarnings("unchecked")
    public ConvLstm build() {
      if (channels < 1 || height < 1 || width < 1 || filters < 1) {
        throw new IllegalArgumentException("ConvLstm sizes must be >= 1, got channels=" + channels
            + ", height=" + height + ", width=" + width + ", filters=" + filters
            + "; e.g. ConvLstm.builder(64, 16, 16, 64) for 64-channel 16x16 maps");
      }
      if (kernelSize < 1 || kernelSize % 2 == 0) {
        throw new IllegalArgumentException("ConvLstm kernelSize must be odd and >= 1 (for 'same'"
            + " padding), got " + kernelSize + "; use 3 or 5");
      }
      if (!Double.isFinite(forgetGateBiasInit)) {
        throw new IllegalArgumentException("ConvLstm forgetGateBiasInit must be finite, got "
            + forgetGateBiasInit + "; 1.0 is customary");
      }
      return new ConvLstm(this);
    }
  }
}
