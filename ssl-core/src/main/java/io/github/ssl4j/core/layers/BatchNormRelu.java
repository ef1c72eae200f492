package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.OneDnn;
import io.github.ssl4j.core.dl4j.OneDnnConvolution;
import io.github.ssl4j.core.dl4j.OneDnnLayouts;
import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch normalisation followed by ReLU in one layer: the values of DL4J's {@link
 * BatchNormalization} then an {@link ActivationLayer} with ReLU, without their copies.
 *
 * <p>DL4J 1.0.0-M2.1's activation layer copies its input in the forward pass (to keep it for the
 * backward pass) and again in the backward pass (its activation function overwrites the copy).
 * This layer applies ReLU in place to the batch
 * norm's fresh output and derives the backward mask from that output ({@code y > 0} exactly when
 * the normalised value is &gt; 0), so the gradient reaching the batch norm is {@code step(y) · dy}
 * with no copy of the activations. Parameters (gamma, beta, running mean and log10 standard
 * deviation), their initialisation, the oneDNN helper and the serialised options are those of
 * {@link BatchNormalization} with its builder's defaults; its setters (e.g. {@code setDecay},
 * {@code setEps}) change them.
 *
 * <p>The backward pass needs the output of the training forward pass on the same input, which is
 * what DL4J's graphs always run before backpropagation.
 */
public class BatchNormRelu extends BatchNormalization {

  /** Batch norm with {@link BatchNormalization.Builder}'s defaults, then ReLU. */
  public BatchNormRelu() {}

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNOutSet("BatchNormRelu", getLayerName(), layerIndex, getNOut());
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, listeners,
        layerIndex, paramsView, initializeParams);
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && super.equals(o);
  }

  /** Keeps DL4J's (Lombok) {@code BatchNormalization.equals} from equating it with this class. */
  @Override
  protected boolean canEqual(Object other) {
    return other instanceof BatchNormRelu;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + BatchNormRelu.class.hashCode();
  }

  /** The runtime layer: ReLU in place on the batch norm's output, kept for the backward mask. */
  static final class Runtime extends org.deeplearning4j.nn.layers.normalization.BatchNormalization
      implements OneDnnLayouts.Layer {
    private INDArray forwardInput;
    private INDArray forwardOutput;
    /** Whether the helper applied the ReLU in the last forward pass (and masks the gradient). */
    private boolean reluFused;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      forwardInput = null;
      forwardOutput = null;
      OneDnnLayouts.ReluFusing fusing = getHelper() instanceof OneDnnLayouts.ReluFusing f ? f : null;
      if (fusing != null) {
        fusing.fuseRelu(true);
      }
      int failures = helperCountFail;
      INDArray out = super.activate(training, workspaceMgr);
      requireHelper(failures);
      reluFused = fusing != null && fusing.appliedRelu();
      if (xHat != null && out.data().sameUnderlyingData(xHat.data())) {
        // DL4J's own path can return its normalised input, which its backward pass still needs
        out = workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
      }
      if (!reluFused) {
        Nd4j.getExecutioner().exec(new RectifiedLinear(out, out));
      }
      if (training) {
        forwardInput = input;
        forwardOutput = out;
      }
      return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      INDArray y = forwardOutput;
      if (y == null || forwardInput != input) {
        throw new IllegalStateException("BatchNormRelu layer '" + conf.getLayer().getLayerName()
            + "': backpropagation needs the output of a training forward pass on the same input,"
            + " but " + (y == null ? "there was none" : "the input changed since")
            + "; run the graph forward with training = true (e.g. computeGradientAndScore or fit)"
            + " before backpropagating");
      }
      if (!OneDnnLayouts.sameLayouts(y, epsilon)) {
        throw new IllegalStateException("BatchNormRelu layer '" + conf.getLayer().getLayerName()
            + "': the output and its gradient are in different layouts");
      }
      INDArray masked = epsilon;
      if (!reluFused) {
        // (a helper that applied ReLU in its forward pass masks the gradient itself)
        masked = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, epsilon.dataType(), epsilon.shape(), 'c');
        Nd4j.getExecutioner().exec(new Step(y, masked, 0.0));
        masked.muli(epsilon);
        OneDnnLayouts.sameLayout(epsilon, masked);
      }
      int failures = helperCountFail;
      Pair<Gradient, INDArray> result = super.backpropGradient(masked, workspaceMgr);
      requireHelper(failures);
      return result;
    }

    /**
     * DL4J falls back to its own code when a helper throws; its own code cannot read an input in a
     * oneDNN layout, so then the helper's failure is this layer's.
     */
    private void requireHelper(int failuresBefore) {
      if (helperCountFail != failuresBefore && OneDnnConvolution.inOneDnnLayout(input)) {
        throw new IllegalStateException("BatchNormRelu layer '" + conf.getLayer().getLayerName()
            + "': the oneDNN batch norm failed on an input in a oneDNN layout (see the warning logged"
            + " above); run with -D" + OneDnn.PROPERTY + "=false to train without oneDNN layouts");
      }
    }

    @Override
    public boolean readsOneDnnLayouts() {
      return getHelper() instanceof OneDnnLayouts.Layer l && l.readsOneDnnLayouts() && dataType == DataType.FLOAT
          && layerConf().getIDropout() == null && layerConf().getCnn2DFormat() == CNN2DFormat.NCHW;
    }

    @Override
    public void oneDnnOutput(boolean allowed) {
      if (getHelper() instanceof OneDnnLayouts.Layer l) {
        l.oneDnnOutput(allowed);
      }
    }

    @Override
    public void clear() {
      super.clear();
      forwardInput = null;
      forwardOutput = null;
    }
  }
}
