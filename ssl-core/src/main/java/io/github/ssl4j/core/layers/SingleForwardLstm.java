package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.FwdPassReturn;
import org.deeplearning4j.nn.layers.recurrent.LSTMHelpers;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link LSTM} whose backward pass does not run the forward pass a second time.
 *
 * <p>DL4J 1.0.0-M2.1's LSTM runs the whole recurrence again at the start of every backward pass
 * to get its gate activations (its own cache of the forward pass is switched off). This layer's
 * training forward pass keeps them (moved into the activations workspace, which lives until the
 * backward pass ends) and the backward pass that follows on the same input uses them; anything
 * else (inference, truncated BPTT, a different input, NWC data) takes DL4J's path. Parameters,
 * gradients and parameter layout are DL4J's; build it with {@link Builder}, which has all of
 * {@link LSTM.Builder}'s options.
 */
public class SingleForwardLstm extends LSTM {

  /** For JSON deserialisation and {@link Builder}. */
  public SingleForwardLstm() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof SingleForwardLstm other && other.canEqual(this) && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    return other instanceof SingleForwardLstm;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + 2;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("SingleForwardLstm", getLayerName(), layerIndex, getNIn(), getNOut());
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, listeners, layerIndex,
        paramsView, initializeParams);
  }

  /** {@link LSTM.Builder} building a {@link SingleForwardLstm}. */
  public static final class Builder extends LSTM.Builder {
    @Override
    public SingleForwardLstm build() {
      // DL4J's LSTM has no constructor a subclass can build through: copy its configuration
      return RuntimeLayers.copyConfiguration(LSTM.class, super.build(), new SingleForwardLstm());
    }
  }

  /** The runtime layer: keeps its training forward pass for the backward pass. */
  static final class Runtime extends org.deeplearning4j.nn.layers.recurrent.LSTM {
    private INDArray keptInput;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      keptInput = null;
      cachedFwdPass = null;
      if (!training || input == null || input.rank() != 3
          || TimeSeriesUtils.getFormatFromRnnLayer(layerConf()) != RNNFormat.NCW) {
        return super.activate(training, workspaceMgr);
      }
      applyDropOutIfNecessary(true, workspaceMgr);
      INDArray recurrentWeights = getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr);
      INDArray inputWeights = getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr);
      INDArray biases = getParamWithNoise(LSTMParamInitializer.BIAS_KEY, true, workspaceMgr);
      LSTM c = (LSTM) layerConf();
      FwdPassReturn fwd = LSTMHelpers.activateHelper(this, conf, c.getGateActivationFn(), input,
          recurrentWeights, inputWeights, biases, true, null, null, true, true,
          LSTMParamInitializer.INPUT_WEIGHT_KEY, maskArray, false, helper,
          org.deeplearning4j.nn.conf.CacheMode.NONE, keepingManager(workspaceMgr), c.isHelperAllowFallback());
      // for the backward pass DL4J fills only the per-step outputs: write them into the output
      for (int t = 0; t < fwd.fwdPassOutputAsArrays.length; t++) {
        fwd.fwdPassOutput.tensorAlongDimension(t, 1, 0).assign(fwd.fwdPassOutputAsArrays[t]);
      }
      keep(fwd, workspaceMgr);
      cachedFwdPass = fwd;
      keptInput = input;
      return fwd.fwdPassOutput;
    }

    /**
     * The forward pass's workspace manager, except that what DL4J's LSTM allocates for the
     * backward pass ({@code BP_WORKING_MEM}, not configured during a forward pass) goes where the
     * activations go.
     */
    private static LayerWorkspaceMgr keepingManager(LayerWorkspaceMgr given) {
      LayerWorkspaceMgr.Builder b = LayerWorkspaceMgr.builder();
      for (ArrayType type : ArrayType.values()) {
        ArrayType from = type == ArrayType.BP_WORKING_MEM ? ArrayType.ACTIVATIONS : type;
        if (given.isScopedOut(from)) {
          b.noWorkspaceFor(type);
        } else if (given.getWorkspaceName(from) != null) {
          b.with(type, given.getWorkspaceName(from), given.getConfiguration(from));
        }
      }
      LayerWorkspaceMgr m = b.build();
      m.setHelperWorkspacePointers(given.getHelperWorkspacePointers());
      return m;
    }

    /** Moves the arrays the backward pass reads into the activations workspace. */
    private static void keep(FwdPassReturn f, LayerWorkspaceMgr w) {
      f.fwdPassOutput = w.leverageTo(ArrayType.ACTIVATIONS, f.fwdPassOutput);
      for (INDArray[] arrays : new INDArray[][] {f.fwdPassOutputAsArrays, f.memCellState,
          f.memCellActivations, f.iz, f.ia, f.fa, f.oa, f.ga, f.fz, f.oz, f.gz}) {
        if (arrays != null) {
          for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] != null) {
              arrays[i] = w.leverageTo(ArrayType.ACTIVATIONS, arrays[i]);
            }
          }
        }
      }
      if (f.lastAct != null) {
        f.lastAct = w.leverageTo(ArrayType.ACTIVATIONS, f.lastAct);
      }
      if (f.lastMemCell != null) {
        f.lastMemCell = w.leverageTo(ArrayType.ACTIVATIONS, f.lastMemCell);
      }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      if (keptInput == null || keptInput != input) {
        cachedFwdPass = null; // none kept, or kept for another input: DL4J runs the forward pass
      }
      keptInput = null;
      try {
        return super.backpropGradient(epsilon, workspaceMgr);
      } finally {
        cachedFwdPass = null;
      }
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackwardLength,
        LayerWorkspaceMgr workspaceMgr) {
      keptInput = null;
      cachedFwdPass = null;
      return super.tbpttBackpropGradient(epsilon, tbpttBackwardLength, workspaceMgr);
    }

    @Override
    public void clear() {
      super.clear();
      keptInput = null;
      cachedFwdPass = null;
    }
  }
}
