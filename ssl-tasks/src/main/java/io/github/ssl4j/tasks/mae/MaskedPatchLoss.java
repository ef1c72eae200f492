package io.github.ssl4j.tasks.mae;

import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * MAE's reconstruction loss with its pixel prediction: a linear map of each decoder token {@code
 * [batch, d, N]} (NCW) to the pixels of its patch, {@code pred = Wᵀ x + b} ({@code W} [d, P], {@code
 * b} [1, P], P = pixels per patch), and the mean squared error over the <em>masked</em> patches
 * only:
 *
 * <pre>
 *   loss = Σ_{i,n} m[i,n] · Σ_p (pred[i,p,n] − target[i,p,n])² / (P · Σ_{i,n} m[i,n])
 * </pre>
 *
 * as MAE's {@code forward_loss}. Labels: targets {@code [batch, P, N]}; the labels mask {@code
 * [batch, N]} (required) is 1 at the masked patches and 0 at the visible ones. The score is this
 * loss (plus regularisation); the gradient passed back follows DL4J's convention for sums over
 * examples (the trainer's updater divides by the batch size). Inference ({@code output}) returns the
 * predictions {@code [batch, P, N]} for every patch. A native layer, not SameDiff (see
 * docs/development/dl4j-workarounds.md).
 */
public class MaskedPatchLoss extends RnnOutputLayer {

  /** For JSON deserialisation. */
  public MaskedPatchLoss() {}

  /**
   * @param nIn decoder token width d, &gt;= 1
   * @param pixelsPerPatch P = channels · patch², &gt;= 1
   * @throws IllegalArgumentException when a size is out of range
   */
  public MaskedPatchLoss(int nIn, int pixelsPerPatch) {
    if (nIn < 1 || pixelsPerPatch < 1) {
      throw new IllegalArgumentException("MaskedPatchLoss needs nIn >= 1 and pixelsPerPatch >= 1, got nIn="
          + nIn + ", pixelsPerPatch=" + pixelsPerPatch);
    }
    setNIn(nIn);
    setNOut(pixelsPerPatch);
    setHasBias(true);
    setLossFn(new LossMSE());
    setActivationFn(new ActivationIdentity());
    setRnnDataFormat(RNNFormat.NCW);
    setWeightInitFn(new WeightInitXavier());
    setBiasInit(Double.NaN); // NaN / empty / null: the graph's defaults fill them in
    setGainInit(Double.NaN);
    setRegularization(new ArrayList<>());
    setRegularizationBias(new ArrayList<>());
    setGradientNormalization(null);
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
      int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("MaskedPatchLoss", getLayerName(), layerIndex, getNIn(), getNOut());
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, trainingListeners, layerIndex,
        layerParamsView, initializeParams);
  }

  /** Runtime layer; public only for DL4J. */
  public static final class Runtime extends org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer {
    private INDArray patchMask;

    /**
     * @param conf the layer's configuration
     * @param dataType the network's data type
     */
    public Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public void setMaskArray(INDArray maskArray) {
      this.patchMask = maskArray;
      super.setMaskArray(maskArray);
    }

    /** Rows {@code i * N + n}: the inputs [rows, d] and the masked residuals [rows, P]. */
    private record Pass(INDArray rows, INDArray residual, double masked, long batch) {}

    private Pass pass() {
      INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
      INDArray b = getParam(DefaultParamInitializer.BIAS_KEY);
      long p = w.size(1);
      if (input == null || input.rank() != 3 || input.size(1) != w.size(0)) {
        throw new IllegalStateException("MaskedPatchLoss expects decoder tokens [batch, " + w.size(0)
            + ", N] but got " + (input == null ? "none" : Arrays.toString(input.shape())));
      }
      long batch = input.size(0);
      long n = input.size(2);
      if (labels == null || labels.rank() != 3 || labels.size(0) != batch || labels.size(1) != p
          || labels.size(2) != n) {
        throw new IllegalStateException("MaskedPatchLoss expects targets [" + batch + ", " + p + ", " + n
            + "] but got " + (labels == null ? "none" : Arrays.toString(labels.shape())));
      }
      if (patchMask == null || patchMask.length() != batch * n) {
        throw new IllegalStateException("MaskedPatchLoss needs the labels mask [" + batch + ", " + n
            + "] (1 = masked patch) but got " + (patchMask == null ? "none" : Arrays.toString(patchMask.shape()))
            + "; train on batches from MaskedAutoencoderTask.prepare");
      }
      DataType dt = w.dataType();
      INDArray rows = input.castTo(dt).permute(0, 2, 1).dup('c').reshape('c', batch * n, w.size(0));
      INDArray target = labels.castTo(dt).permute(0, 2, 1).dup('c').reshape('c', batch * n, p);
      INDArray m = patchMask.castTo(dt).dup('c').reshape('c', batch * n, 1);
      INDArray residual = rows.mmul(w).addiRowVector(b).subi(target).muliColumnVector(m);
      return new Pass(rows, residual, m.sumNumber().doubleValue(), batch);
    }

    /** DL4J's per-batch sum: batch size times the mean loss over masked patches. */
    private static double scale(Pass s, long pixels) {
      return s.masked() == 0 ? 0 : s.batch() / (pixels * s.masked());
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
      Pass s = pass();
      long pixels = s.residual().size(1);
      double score = s.residual().mul(s.residual()).sumNumber().doubleValue() * scale(s, pixels);
      if (conf().isMiniBatch()) {
        score /= s.batch();
      }
      score += fullNetRegTerm;
      this.score = score;
      return score;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(true);
      Pass s = pass();
      INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
      INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
      INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
      long pixels = w.size(1);
      INDArray delta = s.residual().muli(2 * scale(s, pixels)); // d(sum)/d(pred), [rows, P]
      Nd4j.gemm(s.rows(), delta, weightGrad, true, false, 1.0, 0.0);
      delta.sum(biasGrad, 0);
      INDArray epsRows = delta.mmul(w.transpose()); // [rows, d]
      INDArray eps = epsRows.reshape('c', s.batch(), input.size(2), w.size(0)).permute(0, 2, 1);
      Gradient g = new DefaultGradient();
      g.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
      g.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
      this.gradient = g;
      return new Pair<>(g, workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, eps, 'c'));
    }
  }
}
