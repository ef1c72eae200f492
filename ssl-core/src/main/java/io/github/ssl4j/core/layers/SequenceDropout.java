package io.github.ssl4j.core.layers;

import java.util.Collection;
import io.github.ssl4j.core.dl4j.RuntimeLayers;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Dropout on any activations, sequences with a padding mask included. DL4J 1.0.0-M2.1's {@link
 * DropoutLayer} multiplies its output by the mask as a column vector, which fails for sequence
 * activations {@code [batch, d, T]} with a mask {@code [batch, T]} ("Mismatched shapes"); this
 * layer applies the same dropout and leaves masking to the layers that need it (attention, pooling,
 * losses). Inverted dropout: kept activations are scaled by {@code 1 / retain} in training, the
 * identity at inference.
 */
public class SequenceDropout extends DropoutLayer {

  /** For JSON deserialisation. */
  public SequenceDropout() {}

  /**
   * @param dropProbability probability of zeroing an activation, in [0, 1)
   * @throws IllegalArgumentException when out of range
   */
  public SequenceDropout(double dropProbability) {
    super(retain(dropProbability));
  }

  private static double retain(double p) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1) but was " + p + "; e.g. 0.1");
    }
    return 1 - p;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
      int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, trainingListeners, layerIndex,
        layerParamsView, initializeParams);
  }

  /** Runtime layer: DL4J's dropout with the mask multiplication skipped. Not part of the API. */
  public static final class Runtime extends org.deeplearning4j.nn.layers.DropoutLayer {
    /**
     * @param conf the layer's configuration
     * @param dataType the network's data type
     */
    public Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      INDArray mask = maskArray;
      maskArray = null;
      try {
        return super.activate(training, workspaceMgr);
      } finally {
        maskArray = mask;
      }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      INDArray mask = maskArray;
      maskArray = null;
      try {
        return super.backpropGradient(epsilon, workspaceMgr);
      } finally {
        maskArray = mask;
      }
    }
  }
}
