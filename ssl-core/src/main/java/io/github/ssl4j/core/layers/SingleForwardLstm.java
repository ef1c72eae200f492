package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.Gemm;
import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.IntConsumer;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's {@link LSTM} (no peepholes) whose training passes run the recurrence once, with the
 * products over all time steps batched.
 *
 * <p>DL4J 1.0.0-M2.1's LSTM runs the whole recurrence again at the start of every backward pass
 * to get its gate activations, and multiplies by the input and recurrent weights one time step at
 * a time in both passes. This layer's training forward pass multiplies the whole sequence by the
 * input weights at once, runs the recurrence, and keeps the gate pre-activations, activations and
 * cell states (in the activations workspace, which lives until the backward pass ends); the
 * backward pass that follows on the same input uses them and computes the weight gradients and the
 * input gradient with one product each over all time steps; in float with DL4J's default tanh and
 * sigmoid activations, the element-wise part of each time step is one Java loop ({@code
 * LstmCellLoops}). Anything else (inference, truncated
 * BPTT, a mask, a different input, NWC data) takes DL4J's path. The gate order, parameters,
 * parameter layout and gradients are DL4J's (equal up to float summation order); build it with
 * {@link Builder}, which has all of {@link LSTM.Builder}'s options.
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

  /** The runtime layer: one recurrence per training step, products batched over time. */
  static final class Runtime extends org.deeplearning4j.nn.layers.recurrent.LSTM {
    /** The training forward pass, for the backward pass on the same input; null if none. */
    private Kept kept;
    /** Whether the last training forward pass ran its time steps as Java loops (for tests). */
    boolean lastOnLoops;

    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    /**
     * What a training forward pass keeps, rows in time-major order ({@code t·batch + b}); gate
     * columns in DL4J's order: block input, forget, output, input modulation, {@code size} each.
     */
    private static final class Kept {
      INDArray input;
      int batch;
      int steps;
      /** The input, {@code [steps·batch, nIn]}. */
      INDArray x;
      /** Gate pre-activations, {@code [steps·batch, 4·size]}. */
      INDArray z;
      /** Gate activations, {@code [steps·batch, 4·size]}. */
      INDArray a;
      /** Cell states, {@code [steps·batch, size]}. */
      INDArray c;
      /** The activation of the cell states, {@code [steps·batch, size]}. */
      INDArray tc;
      /** Outputs, {@code [steps·batch, size]}. */
      INDArray h;

      INDArray rows(INDArray m, int t) {
        return m.get(NDArrayIndex.interval((long) t * batch, (long) (t + 1) * batch), NDArrayIndex.all());
      }
    }

    private boolean ownPath(boolean training) {
      return training && input != null && input.rank() == 3 && maskArray == null
          && TimeSeriesUtils.getFormatFromRnnLayer(layerConf()) == RNNFormat.NCW;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      kept = null;
      if (!ownPath(training)) {
        return super.activate(training, workspaceMgr);
      }
      applyDropOutIfNecessary(true, workspaceMgr);
      INDArray wx = getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr);
      INDArray wr = getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr);
      INDArray bias = getParamWithNoise(LSTMParamInitializer.BIAS_KEY, true, workspaceMgr);
      LSTM conf = (LSTM) layerConf();
      IActivation afn = conf.getActivationFn();
      IActivation gate = conf.getGateActivationFn();
      INDArray in = input.castTo(wx.dataType());
      if (in.size(1) != wx.size(0)) {
        throw new DL4JInvalidInputException("LSTM layer '" + conf.getLayerName() + "' expects input of shape"
            + " [batch, " + wx.size(0) + ", time], got " + Arrays.toString(in.shape())
            + "; set nIn to the input's feature size");
      }
      DataType type = wx.dataType();
      int batch = (int) in.size(0);
      int steps = (int) in.size(2);
      long size = wr.size(0);
      long rows = (long) steps * batch;

      Kept k = new Kept();
      k.input = input;
      k.batch = batch;
      k.steps = steps;
      k.x = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {steps, batch, in.size(1)}, 'c');
      k.x.assign(in.permute(2, 0, 1));
      k.x = k.x.reshape('c', rows, in.size(1));
      k.z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {rows, 4 * size}, 'c');
      Gemm.gemm(k.x, false, wx, false, k.z, 1.0, 0.0);
      k.z.addiRowVector(bias);
      k.a = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {rows, 4 * size}, 'c');
      k.c = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {rows, size}, 'c');
      k.tc = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {rows, size}, 'c');
      k.h = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {rows, size}, 'c');
      IntConsumer loopStep = LstmCellLoops.apply(afn, gate, k.z, k.a, k.c, k.tc, k.h)
          ? new LstmCellLoops(batch, (int) size).forwardSteps(k.z, k.a, k.c, k.tc, k.h) : null;
      lastOnLoops = loopStep != null;
      for (int t = 0; t < steps; t++) {
        INDArray zt = k.rows(k.z, t);
        if (t > 0) {
          Gemm.gemm(k.rows(k.h, t - 1), false, wr, false, zt, 1.0, 1.0);
        }
        if (loopStep != null) {
          loopStep.accept(t);
          continue;
        }
        INDArray at = k.rows(k.a, t).assign(zt);
        activateInPlace(afn, gateColumns(at, 0, 1, size));
        activateInPlace(gate, gateColumns(at, 1, 4, size));
        INDArray ct = k.rows(k.c, t);
        Nd4j.exec(new MulOp(gateColumns(at, 0, 1, size), gateColumns(at, 3, 4, size), ct));
        if (t > 0) {
          ct.addi(gateColumns(at, 1, 2, size).mul(k.rows(k.c, t - 1)));
        }
        INDArray tct = k.rows(k.tc, t).assign(ct);
        activateInPlace(afn, tct);
        Nd4j.exec(new MulOp(tct, gateColumns(at, 2, 3, size), k.rows(k.h, t)));
      }
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {batch, size, steps}, 'f');
      out.assign(k.h.reshape('c', steps, batch, size).permute(1, 2, 0));
      kept = k;
      return out;
    }

    /** Columns of gates {@code from} (inclusive) to {@code to} (exclusive) of a gate matrix. */
    private static INDArray gateColumns(INDArray gates, int from, int to, long size) {
      return gates.get(NDArrayIndex.all(), NDArrayIndex.interval(from * size, to * size));
    }

    private static void activateInPlace(IActivation fn, INDArray view) {
      INDArray result = fn.getActivation(view, true);
      if (result != view) {
        view.assign(result);
      }
    }

    /**
     * Replaces {@code gradient}, the loss's gradient with respect to {@code fn}'s output at the
     * pre-activations {@code z}, by its gradient with respect to {@code z} (same shape).
     */
    private static void backpropInPlace(IActivation fn, INDArray z, INDArray gradient) {
      INDArray dLdz = fn.backprop(z.dup('c'), gradient).getFirst();
      gradient.assign(dLdz);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      Kept k = kept;
      kept = null;
      if (k == null || k.input != input || !ownPath(true) || epsilon.rank() != 3) {
        return super.backpropGradient(epsilon, workspaceMgr);
      }
      INDArray wx = getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr);
      INDArray wr = getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr);
      LSTM conf = (LSTM) layerConf();
      IActivation afn = conf.getActivationFn();
      IActivation gate = conf.getGateActivationFn();
      DataType type = wx.dataType();
      long size = wr.size(0);
      long rows = (long) k.steps * k.batch;
      if (epsilon.dataType() != type) {
        epsilon = epsilon.castTo(type);
      }
      // dL/dh per step; the recurrent part is added into step t-1 while going back from step t
      INDArray dh = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type,
          new long[] {k.steps, k.batch, size}, 'c');
      dh.assign(epsilon.permute(2, 0, 1));
      dh = dh.reshape('c', rows, size);
      INDArray dz = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, new long[] {rows, 4 * size}, 'c');
      INDArray dcNext = null;
      IntConsumer loopStep = LstmCellLoops.apply(afn, gate, k.a, k.c, k.tc, dh, dz)
          ? new LstmCellLoops(k.batch, (int) size).backwardSteps(k.a, k.c, k.tc, dh, dz, k.steps) : null;
      for (int t = k.steps - 1; t >= 0; t--) {
        if (loopStep != null) {
          loopStep.accept(t);
          if (t > 0) {
            Gemm.gemm(k.rows(dz, t), false, wr, true, k.rows(dh, t - 1), 1.0, 1.0);
          }
          continue;
        }
        INDArray at = k.rows(k.a, t);
        INDArray ai = gateColumns(at, 0, 1, size);
        INDArray f = gateColumns(at, 1, 2, size);
        INDArray o = gateColumns(at, 2, 3, size);
        INDArray g = gateColumns(at, 3, 4, size);
        INDArray dht = k.rows(dh, t);
        INDArray dzt = k.rows(dz, t);
        // h = o ∘ afn(c): to the output gate and the cell state
        Nd4j.exec(new MulOp(dht, k.rows(k.tc, t), gateColumns(dzt, 2, 3, size)));
        INDArray dc = afn.backprop(k.rows(k.c, t).dup('c'), dht.mul(o)).getFirst();
        if (dcNext != null) {
          dc.addi(dcNext);
        }
        // c = f ∘ c(t-1) + g ∘ ai
        if (t > 0) {
          Nd4j.exec(new MulOp(dc, k.rows(k.c, t - 1), gateColumns(dzt, 1, 2, size)));
        } else {
          gateColumns(dzt, 1, 2, size).assign(0);
        }
        Nd4j.exec(new MulOp(dc, g, gateColumns(dzt, 0, 1, size)));
        Nd4j.exec(new MulOp(dc, ai, gateColumns(dzt, 3, 4, size)));
        dcNext = dc.muli(f);
        INDArray zt = k.rows(k.z, t);
        backpropInPlace(afn, gateColumns(zt, 0, 1, size), gateColumns(dzt, 0, 1, size));
        backpropInPlace(gate, gateColumns(zt, 1, 4, size), gateColumns(dzt, 1, 4, size));
        if (t > 0) {
          Gemm.gemm(dzt, false, wr, true, k.rows(dh, t - 1), 1.0, 1.0);
        }
      }
      INDArray wxGrad = gradientViews.get(LSTMParamInitializer.INPUT_WEIGHT_KEY);
      INDArray wrGrad = gradientViews.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
      INDArray bGrad = gradientViews.get(LSTMParamInitializer.BIAS_KEY);
      Gemm.gemm(k.x, true, dz, false, wxGrad, 1.0, 0.0);
      if (k.steps > 1) {
        long shifted = rows - k.batch;
        Gemm.gemm(k.h.get(NDArrayIndex.interval(0, shifted), NDArrayIndex.all()), true,
            dz.get(NDArrayIndex.interval(k.batch, rows), NDArrayIndex.all()), false, wrGrad, 1.0, 0.0);
      } else {
        wrGrad.assign(0);
      }
      bGrad.assign(dz.sum(true, 0));
      INDArray dx = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, new long[] {rows, wx.size(0)}, 'c');
      Gemm.gemm(dz, false, wx, true, dx, 1.0, 0.0);
      INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, type,
          new long[] {k.batch, wx.size(0), k.steps}, 'f');
      epsilonNext.assign(dx.reshape('c', k.steps, k.batch, wx.size(0)).permute(1, 2, 0));

      Gradient gradient = new DefaultGradient();
      gradient.gradientForVariable().put(LSTMParamInitializer.INPUT_WEIGHT_KEY, wxGrad);
      gradient.gradientForVariable().put(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, wrGrad);
      gradient.gradientForVariable().put(LSTMParamInitializer.BIAS_KEY, bGrad);
      weightNoiseParams.clear();
      return new Pair<>(gradient, backpropDropOutIfPresent(epsilonNext));
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackwardLength,
        LayerWorkspaceMgr workspaceMgr) {
      kept = null;
      return super.tbpttBackpropGradient(epsilon, tbpttBackwardLength, workspaceMgr);
    }

    @Override
    public void clear() {
      super.clear();
      kept = null;
    }
  }
}
