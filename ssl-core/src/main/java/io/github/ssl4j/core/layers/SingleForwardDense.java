package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link DenseLayer} whose backward pass does not compute the forward product a second time.
 *
 * <p>DL4J 1.0.0-M2.1's dense layer computes {@code input · W + b} again at the start of every
 * backward pass to get the pre-activation. This layer's training forward pass keeps it (the
 * output array itself for the identity activation, else a copy in the activations workspace) and
 * the backward pass that follows on the same input uses it; with layer normalisation, or for any
 * other input, DL4J's path runs. Parameters, gradients, parameter layout and results are DL4J's;
 * build it with {@link Builder}, which has all of {@link DenseLayer.Builder}'s options.
 */
public class SingleForwardDense extends DenseLayer {

  /** For JSON deserialisation and {@link Builder}. */
  public SingleForwardDense() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof SingleForwardDense other && other.canEqual(this) && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    return other instanceof SingleForwardDense;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + 3;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("SingleForwardDense", getLayerName(), layerIndex, getNIn(), getNOut());
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, listeners, layerIndex,
        paramsView, initializeParams);
  }

  /** {@link DenseLayer.Builder} building a {@link SingleForwardDense}. */
  public static final class Builder extends DenseLayer.Builder {
    @Override
    @SuppressWarnings("unchecked")
    public SingleForwardDense build() {
      // DL4J's DenseLayer has no constructor a subclass can build through: copy its configuration
      return RuntimeLayers.copyConfiguration(DenseLayer.class, super.build(), new SingleForwardDense());
    }
  }

  /** The runtime layer: keeps its last training pre-activation for the backward pass. */
  static final class Runtime extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
    private final KeptPreActivation kept = new KeptPreActivation();

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(
        boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
      INDArray z = kept.take(input);
      if (forBackprop && z != null) {
        return new Pair<>(z, z);
      }
      Pair<INDArray, INDArray> result = super.preOutputWithPreNorm(training, forBackprop, workspaceMgr);
      if (training && !forBackprop && !hasLayerNorm()) {
        // after DL4J's dropout, if any: the backward pass sees this same input array
        kept.keep(input, result.getFirst(), layerConf().getActivationFn(), workspaceMgr);
      }
      return result;
    }

    @Override
    public void clear() {
      super.clear();
      kept.clear();
    }
  }
}
