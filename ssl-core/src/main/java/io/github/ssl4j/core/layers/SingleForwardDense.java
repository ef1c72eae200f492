package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.Gemm;
import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
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
 * the backward pass that follows on the same input uses it; its products run on {@link Gemm}.
 * With layer normalisation DL4J's path runs. Parameters, gradients and parameter layout are
 * DL4J's, results equal up to float summation order; build it with {@link Builder}, which has all
 * of {@link DenseLayer.Builder}'s options.
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

    /** Whether this layer's own products run: no layer normalisation, a matrix input. */
    private boolean ownPath() {
      return !hasLayerNorm() && input != null && input.rank() == 2;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(
        boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
      INDArray kept = this.kept.take(input);
      if (forBackprop && kept != null) {
        return new Pair<>(kept, kept);
      }
      if (!ownPath()) {
        return super.preOutputWithPreNorm(training, forBackprop, workspaceMgr);
      }
      assertInputSet(forBackprop);
      applyDropOutIfNecessary(training, workspaceMgr);
      INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr);
      INDArray in = input.castTo(w.dataType());
      if (in.columns() != w.rows()) {
        throw new DL4JInvalidInputException("Input size (" + in.columns() + " columns; shape = "
            + Arrays.toString(in.shape()) + ") is invalid: does not match layer input size (layer # inputs = "
            + w.rows() + ") " + layerId());
      }
      INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), in.size(0), w.size(1));
      if (w.ordering() == 'f' && w.rows() > 1 && w.columns() > 1) {
        // DL4J's weights are column-major: the product as zᵀ = Wᵀ·inᵀ into a column-major array,
        // for which oneDNN's sgemm takes the faster kernel, then copied
        INDArray columnMajor = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(),
            new long[] {in.size(0), w.size(1)}, 'f');
        Gemm.gemm(in, false, w, false, columnMajor, 1.0, 0.0);
        z.assign(columnMajor);
      } else {
        Gemm.gemm(in, false, w, false, z, 1.0, 0.0);
      }
      if (hasBias()) {
        z.addiRowVector(getParamWithNoise(DefaultParamInitializer.BIAS_KEY, training, workspaceMgr));
      }
      if (maskArray != null) {
        applyMask(z);
      }
      if (training && !forBackprop) {
        // after DL4J's dropout, if any: the backward pass sees this same input array
        this.kept.keep(input, z, layerConf().getActivationFn(), workspaceMgr);
      }
      return new Pair<>(z, z);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      if (!ownPath() || !kept.holds(input)) {
        kept.clear();
        return super.backpropGradient(epsilon, workspaceMgr);
      }
      INDArray z = kept.take(input);
      INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
      if (maskArray != null) {
        applyMask(delta);
      }
      Gradient gradient = new DefaultGradient();
      if (hasBias()) {
        INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        delta.sum(biasGrad, 0);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
      }
      INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr);
      INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
          new long[] {delta.size(0), w.size(0)}, 'c');
      Gemm.gemm(delta, false, w, true, epsilonNext, 1.0, 0.0);
      INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
      Gemm.gemm(input.castTo(weightGrad.dataType()), true, delta, false, weightGrad, 1.0, 0.0);
      gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
      weightNoiseParams.clear();
      return new Pair<>(gradient, backpropDropOutIfPresent(epsilonNext));
    }

    @Override
    public void clear() {
      super.clear();
      kept.clear();
    }
  }
}
