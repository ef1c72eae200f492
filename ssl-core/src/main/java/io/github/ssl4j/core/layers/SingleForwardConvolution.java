package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's 2-D {@link ConvolutionLayer} whose backward pass does not run the convolution a second
 * time.
 *
 * <p>DL4J 1.0.0-M2.1's convolution layer recomputes its pre-activation output at the start of
 * every backward pass, to differentiate the activation function. With oneDNN that is one extra
 * forward convolution per layer and step (about 10 % of a W1 step). This layer keeps the
 * pre-activation of its training forward pass instead (the array itself for the identity
 * activation, which every ssl4j encoder uses before batch norm; a copy for other activations,
 * which DL4J applies in place) and hands it to the backward pass that follows on the same input.
 * Anything else (inference, no oneDNN helper, e.g. in double precision, a different input) takes
 * DL4J's own path unchanged. Parameters, gradients and serialised form are those of {@link
 * ConvolutionLayer}; build it with {@link Builder}, which has all of {@link
 * ConvolutionLayer.Builder}'s options.
 */
public class SingleForwardConvolution extends ConvolutionLayer {

  /** For JSON deserialisation. */
  public SingleForwardConvolution() {}

  private SingleForwardConvolution(Builder builder) {
    super(builder);
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

    /** @param kernelSize kernel height and width */
    public Builder(int... kernelSize) {
      super(kernelSize);
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
  static final class Runtime extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
    private INDArray forwardInput;
    private INDArray forwardPreOutput;

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
      INDArray kept = forwardPreOutput;
      boolean sameInput = forwardInput != null && forwardInput == input;
      forwardInput = null;
      forwardPreOutput = null;
      if (forBackprop) {
        if (kept != null && sameInput && reusable()) {
          return new Pair<>(kept, null);
        }
        return super.preOutput(training, true, workspaceMgr);
      }
      Pair<INDArray, INDArray> result = super.preOutput(training, false, workspaceMgr);
      if (training && reusable()) {
        INDArray z = result.getFirst();
        // the activation is applied in place next: keep a copy unless it is the identity
        forwardPreOutput = layerConf().getActivationFn() instanceof ActivationIdentity
            ? z : workspaceMgr.dup(ArrayType.ACTIVATIONS, z);
        forwardInput = input;
      }
      return result;
    }

    @Override
    public void clear() {
      super.clear();
      forwardInput = null;
      forwardPreOutput = null;
    }
  }
}
