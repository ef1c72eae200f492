package io.github.ssl4j.core.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import io.github.ssl4j.core.dl4j.RuntimeLayers;
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
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * A softmax classifier over the positions of a sequence {@code [batch, d, T]} (DL4J NCW) with
 * class-index labels {@code [batch, 1, T]} and a labels mask {@code [batch, T]} — DL4J's {@code
 * RnnOutputLayer} with {@code LossSparseMCXENT}, same parameters ({@code W} [d, classes], {@code b}
 * [1, classes]), same loss and gradients — that in training computes the logits only at the
 * positions where the labels mask is 1. For masked language modelling (15 % of the tokens are
 * targets, 8,005 classes) the stock layer spends most of a step on logits, softmax, one-hot labels
 * and copies for positions that carry no loss; this one skips them. Inference ({@code output})
 * still returns probabilities at every position, {@code [batch, classes, T]}.
 *
 * <p>Loss: the summed cross-entropy of the selected positions divided by the batch size (DL4J's
 * convention for sequence output layers). Masks must be 0/1. Equality of score and gradients with
 * the stock layer is tested.
 */
public class MaskedSoftmaxOutputLayer extends RnnOutputLayer {

  /** For JSON deserialisation. */
  public MaskedSoftmaxOutputLayer() {}

  /**
   * @param nIn input width d, at least 1
   * @param classes number of classes (e.g. the vocabulary size), at least 2
   * @throws IllegalArgumentException when a size is out of range
   */
  public MaskedSoftmaxOutputLayer(int nIn, int classes) {
    if (nIn < 1 || classes < 2) {
      throw new IllegalArgumentException("MaskedSoftmaxOutputLayer needs nIn >= 1 and classes >= 2, got nIn="
          + nIn + ", classes=" + classes);
    }
    setNIn(nIn);
    setNOut(classes);
    setHasBias(true);
    setLossFn(new LossSparseMCXENT());
    setActivationFn(new ActivationSoftmax());
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
    LayerValidation.assertNInNOutSet("MaskedSoftmaxOutputLayer", getLayerName(), layerIndex, getNIn(), getNOut());
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, trainingListeners, layerIndex,
        layerParamsView, initializeParams);
  }

  /** Runtime layer; public only for DL4J. */
  public static final class Runtime extends org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer {
    /**
     * @param conf the layer's configuration
     * @param dataType the network's data type
     */
    public Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    /**
     * The cross-entropy sum the last backward pass computed on its way, and the arrays it was for:
     * DL4J asks for the score right after the gradient, on the same input, labels and parameters.
     */
    private double backwardCrossEntropy;
    private INDArray backwardInput;
    private INDArray backwardLabels;
    private INDArray backwardMask;

    /** The selected rows of the [batch*T, ...] time-major 2-d views, their inputs and labels. */
    private record Selected(int[] rows, INDArray x, int[] labels) {}

    private Selected select() {
      if (input.rank() != 3) {
        throw new IllegalStateException("MaskedSoftmaxOutputLayer expects input [batch, d, T], got "
            + Arrays.toString(input.shape()));
      }
      long n = input.size(0) * input.size(2);
      INDArray input2d = TimeSeriesUtils.reshape3dTo2d(input); // rows t*batch + i
      INDArray labels2d = TimeSeriesUtils.reshape3dTo2d(labels); // [n, 1]
      if (labels2d.size(1) != 1) {
        throw new IllegalStateException("MaskedSoftmaxOutputLayer expects class-index labels [batch, 1, T], got "
            + Arrays.toString(labels.shape()));
      }
      double[] m = maskArray == null ? null : maskArray.castTo(DataType.DOUBLE).dup('f').data().asDouble();
      double[] y = labels2d.castTo(DataType.DOUBLE).dup('f').data().asDouble();
      int count = 0;
      int[] rows = new int[(int) n];
      for (int r = 0; r < n; r++) {
        if (m == null || m[r] != 0) {
          rows[count++] = r;
        }
      }
      rows = Arrays.copyOf(rows, count);
      int[] cls = new int[count];
      long classes = layerConf().getNOut();
      for (int j = 0; j < count; j++) {
        double v = y[rows[j]];
        if (!(v >= 0 && v < classes) || v != Math.rint(v)) {
          throw new IllegalStateException("label " + v + " at row " + rows[j] + " is not a class index in [0, "
              + classes + ")");
        }
        cls[j] = (int) v;
      }
      INDArray x = count == 0 ? null : Nd4j.pullRows(input2d, 1, rows);
      return new Selected(rows, x, cls);
    }

    /** Softmax probabilities of the selected rows, [count, classes]. */
    private INDArray probabilities(Selected s) {
      INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
      INDArray b = getParam(DefaultParamInitializer.BIAS_KEY);
      INDArray z = Nd4j.createUninitialized(w.dataType(), s.rows().length, w.size(1));
      Nd4j.gemm(s.x().castTo(w.dataType()), w, z, false, false, 1.0, 0.0).addiRowVector(b);
      Nd4j.exec(new SoftMax(z, z, 1));
      return z;
    }

    private static double crossEntropy(INDArray p, int[] labels) {
      double sum = 0;
      for (int j = 0; j < labels.length; j++) {
        sum -= Math.log(p.getDouble(j, labels[j]));
      }
      return sum;
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
      if (input == null || labels == null) {
        throw new IllegalStateException("Cannot calculate score without input and labels " + layerId());
      }
      double score;
      if (training && backwardInput != null && backwardInput == input && backwardLabels == labels
          && backwardMask == maskArray) {
        score = backwardCrossEntropy; // same input, labels and mask since the backward pass
      } else {
        Selected s = select();
        score = s.rows().length == 0 ? 0 : crossEntropy(probabilities(s), s.labels());
      }
      backwardInput = null;
      if (conf().isMiniBatch()) {
        score /= getInputMiniBatchSize();
      }
      score += fullNetRegTerm;
      this.score = score;
      return score;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(true);
      backwardInput = null;
      Selected s = select();
      INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
      INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
      INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
      long batch = input.size(0);
      long steps = input.size(2);
      long d = input.size(1);
      INDArray eps2d = Nd4j.zeros(w.dataType(), batch * steps, d);
      double crossEntropy = 0;
      if (s.rows().length == 0) {
        weightGrad.assign(0);
        biasGrad.assign(0);
      } else {
        INDArray delta = probabilities(s); // softmax - onehot
        crossEntropy = crossEntropy(delta, s.labels());
        for (int j = 0; j < s.labels().length; j++) {
          delta.putScalar(j, s.labels()[j], delta.getDouble(j, s.labels()[j]) - 1);
        }
        Nd4j.gemm(s.x().castTo(weightGrad.dataType()), delta, weightGrad, true, false, 1.0, 0.0);
        delta.sum(biasGrad, 0);
        INDArray epsRows = Nd4j.gemm(delta, w, Nd4j.createUninitialized(w.dataType(), delta.size(0), w.size(0)),
            false, true, 1.0, 0.0); // [count, d]
        Nd4j.scatterUpdate(org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate.UpdateOp.ADD, eps2d,
            Nd4j.createFromArray(s.rows()), epsRows, 1);
      }
      backwardCrossEntropy = crossEntropy;
      backwardInput = input;
      backwardLabels = labels;
      backwardMask = maskArray;
      Gradient g = new DefaultGradient();
      g.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
      g.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
      this.gradient = g;
      // rows are time-major (t*batch + i), as TimeSeriesUtils.reshape3dTo2d
      INDArray eps3d = TimeSeriesUtils.reshape2dTo3d(eps2d, batch, workspaceMgr, ArrayType.ACTIVATION_GRAD);
      return new Pair<>(g, eps3d);
    }

    @Override
    public void clear() {
      super.clear();
      backwardInput = null;
    }
  }
}
