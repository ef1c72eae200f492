package io.github.ssl4j.tasks.cpc;

import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The CPC loss (van den Oord et al. 2018) as a parameter-free DL4J output layer: InfoNCE over
 * k-step-ahead predictions of latent codes, with the codes of every clip and every time step in the
 * batch as candidates.
 *
 * <p><b>Input</b>: one sequence {@code [n, (steps + 1) * d, T]} (DL4J NCW): channels {@code [(k-1)d,
 * kd)} hold the prediction {@code p(b, t, k) = W_k c_t} of clip b's code k steps after t (k = 1..
 * steps), the last d channels hold the codes {@code z(b, s)} themselves. <b>Labels</b>: clip ids
 * {@code [n, 1]} (any finite numbers): rows with the same id are the same clip, so another row's
 * codes with the anchor's id are left out of its candidates (a repeated clip is not its own
 * negative); {@link CpcTask} passes 0..n−1.
 *
 * <p><b>Loss</b>: for every anchor (b, t, k) with {@code t + k < T}, logits {@code l(b',s) = p(b,t,k)
 * · z(b',s)} over the candidates (all (b', s) except other rows with b's id), and
 *
 * <pre>
 *   loss(b, t, k) = log sum_{(b',s) candidate} exp l(b',s)  −  l(b, t + k)
 * </pre>
 *
 * (computed stably, by subtracting the row maximum); the score is the mean over all {@code n · Σ_k
 * (T − k)} anchors, and the gradient the layer passes back is that of the mean times the minibatch
 * size, as DL4J's own output layers do (its updater divides by the minibatch size). The other clips at every time step and the
 * same clip at other time steps are the negatives.
 *
 * <p><b>Output</b>: {@code output(...)} returns the input unchanged. Written as a native layer (no
 * SameDiff: docs/development/dl4j-workarounds.md).
 */
public final class CpcLoss extends org.deeplearning4j.nn.conf.layers.RnnLossLayer {

  @JsonProperty("codeSize")
  private int codeSize;

  @JsonProperty("steps")
  private int steps;

  /** For JSON deserialisation only. */
  private CpcLoss() {}

  private CpcLoss(int codeSize, int steps) {
    if (codeSize < 1 || steps < 1) {
      throw new IllegalArgumentException("CpcLoss needs codeSize >= 1 and steps >= 1, got codeSize="
          + codeSize + ", steps=" + steps + "; e.g. CpcLoss.of(128, 3)");
    }
    this.codeSize = codeSize;
    this.steps = steps;
    setLossFn(new LossMSE()); // unused: this layer computes its own loss
    setActivationFn(Activation.IDENTITY.getActivationFunction());
  }

  /**
   * @param codeSize d, the size of a latent code, ≥ 1
   * @param steps how many steps ahead are predicted, ≥ 1
   * @throws IllegalArgumentException if a size is below 1
   */
  public static CpcLoss of(int codeSize, int steps) {
    return new CpcLoss(codeSize, steps);
  }

  /** d, the size of a latent code. */
  public int codeSize() {
    return codeSize;
  }

  /** How many steps ahead are predicted. */
  public int steps() {
    return steps;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeRecurrent rnn)
        || rnn.getSize() != (long) (steps + 1) * codeSize) {
      throw new IllegalArgumentException("CpcLoss (layer " + getLayerName() + ") needs a sequence of "
          + (steps + 1) + " x " + codeSize + " = " + (steps + 1) * codeSize + " channels ("
          + steps + " predictions and the codes, merged), got " + inputType);
    }
    return inputType;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
      int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, trainingListeners, layerIndex,
        layerParamsView, initializeParams);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CpcLoss other && codeSize == other.codeSize && steps == other.steps && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * super.hashCode() + codeSize) + steps;
  }

  @Override
  public CpcLoss clone() {
    return (CpcLoss) super.clone();
  }

  @Override
  public String toString() {
    return "CpcLoss[codeSize=" + codeSize + ", steps=" + steps + "]";
  }

  /** Mean loss and its gradient with respect to the input. */
  record Value(double loss, INDArray gradient) {}

  /**
   * The loss of one batch and, when asked, its gradient.
   *
   * @param input {@code [n, (steps + 1) * codeSize, T]}
   * @param clipIds {@code [n, 1]}
   * @param gradient whether to compute the gradient (else {@link Value#gradient()} is null)
   * @throws IllegalArgumentException if the shapes do not match or no anchor exists (T ≤ 1)
   */
  static Value compute(INDArray input, INDArray clipIds, int codeSize, int steps, boolean gradient) {
    long n = input.size(0);
    long t = input.size(2);
    int d = codeSize;
    if (input.rank() != 3 || input.size(1) != (long) (steps + 1) * d) {
      throw new IllegalArgumentException("CpcLoss expects input [n, " + (steps + 1) * d + ", T], got "
          + Arrays.toString(input.shape()));
    }
    if (clipIds == null || clipIds.length() != n) {
      throw new IllegalArgumentException("CpcLoss needs clip ids [" + n + ", 1], got "
          + (clipIds == null ? "none" : Arrays.toString(clipIds.shape())) + "; use CpcTask.prepare");
    }
    if (t <= 1) {
      throw new IllegalArgumentException("CpcLoss needs clips of at least 2 time steps (a context and a"
          + " future code), got T=" + t);
    }
    DataType dt = input.dataType();
    int rows = Math.toIntExact(n * t);
    // allowed[r][c] = 0 where column c belongs to another row with the same clip id as row r
    double[] ids = clipIds.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] allowedValues = new double[rows * rows];
    for (int r = 0; r < rows; r++) {
      long b = r / t;
      for (int col = 0; col < rows; col++) {
        long b2 = col / t;
        allowedValues[r * rows + col] = b != b2 && ids[(int) b] == ids[(int) b2] ? 0 : 1;
      }
    }
    INDArray allowed = Nd4j.create(allowedValues, new long[] {rows, rows}, 'c').castTo(dt);
    INDArray z = block(input, steps, d); // [rows, d], row b*T + s
    long anchors = 0;
    for (int k = 1; k <= steps && k < t; k++) {
      anchors += n * (t - k);
    }
    double total = 0;
    INDArray gradIn = gradient ? Nd4j.zeros(dt, n, (long) (steps + 1) * d, t) : null;
    INDArray gradZ = gradient ? Nd4j.zeros(dt, rows, d) : null;
    for (int k = 1; k <= steps; k++) {
      if (k >= t) {
        continue; // no anchor k steps before the end
      }
      INDArray p = block(input, k - 1, d); // [rows, d]
      INDArray logits = p.mmul(z.transpose()); // [rows, rows]
      // valid anchors: rows (b, s) with s + k < T; their positive column is row + k
      double[] validValues = new double[rows];
      double[] positiveValues = new double[rows * rows];
      for (int r = 0; r < rows; r++) {
        if (r % t + k < t) {
          validValues[r] = 1;
          positiveValues[r * rows + r + k] = 1;
        }
      }
      INDArray valid = Nd4j.create(validValues, new long[] {rows, 1}, 'c').castTo(dt);
      INDArray positive = Nd4j.create(positiveValues, new long[] {rows, rows}, 'c').castTo(dt);
      double spread = logits.amaxNumber().doubleValue() * 2 + 1;
      INDArray masked = logits.add(allowed.sub(1.0).muli(spread)); // disallowed far below
      INDArray rowMax = masked.max(true, 1);
      INDArray e = Transforms.exp(masked.subColumnVector(rowMax), false).muli(allowed);
      INDArray sum = e.sum(true, 1);
      INDArray logDenominator = Transforms.log(sum, true).addi(rowMax);
      INDArray positiveLogit = logits.mul(positive).sum(true, 1);
      total += logDenominator.sub(positiveLogit).muli(valid).sumNumber().doubleValue();
      if (gradient) {
        INDArray g = e.diviColumnVector(sum).subi(positive).muliColumnVector(valid).divi(anchors); // dL/dlogits
        INDArray gradP = g.mmul(z); // [rows, d]
        gradZ.addi(g.transpose().mmul(p));
        setBlock(gradIn, k - 1, d, gradP);
      }
    }
    if (gradient) {
      setBlock(gradIn, steps, d, gradZ);
    }
    return new Value(total / anchors, gradIn);
  }

  /** Channels {@code [i*d, (i+1)*d)} of {@code x [n, ·, T]} as rows {@code [n*T, d]}, row b*T + s. */
  private static INDArray block(INDArray x, int i, int d) {
    long n = x.size(0);
    long t = x.size(2);
    return x.get(NDArrayIndex.all(), NDArrayIndex.interval((long) i * d, (long) (i + 1) * d), NDArrayIndex.all())
        .permute(0, 2, 1).dup('c').reshape('c', n * t, d);
  }

  private static void setBlock(INDArray x, int i, int d, INDArray rows) {
    long n = x.size(0);
    long t = x.size(2);
    x.get(NDArrayIndex.all(), NDArrayIndex.interval((long) i * d, (long) (i + 1) * d), NDArrayIndex.all())
        .assign(rows.reshape('c', n, t, d).permute(0, 2, 1));
  }

  /** Runtime layer; public only for DL4J. */
  public static final class Runtime extends org.deeplearning4j.nn.layers.recurrent.RnnLossLayer {
    /**
     * @param conf the layer's configuration
     * @param dataType the network's data type
     */
    public Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    private CpcLoss cpc() {
      return (CpcLoss) conf().getLayer();
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
      if (input == null || labels == null) {
        throw new IllegalStateException("Cannot calculate score without input and labels " + layerId());
      }
      double score = compute(input, labels, cpc().codeSize, cpc().steps, false).loss() + fullNetRegTerm;
      // already a mean (over all anchors): not divided by the minibatch size again
      this.score = score;
      return score;
    }

    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
      throw new UnsupportedOperationException("CpcLoss scores a whole batch (every clip is a negative of"
          + " every other), not examples one by one; use computeScore");
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      assertInputSet(true);
      if (labels == null) {
        throw new IllegalStateException("CpcLoss needs clip-id labels [n, 1]; none set " + layerId());
      }
      INDArray g = compute(input, labels, cpc().codeSize, cpc().steps, true).gradient();
      if (conf().isMiniBatch()) {
        g.muli(getInputMiniBatchSize()); // DL4J's updater divides every gradient by the minibatch size
      }
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
      out.assign(g);
      return new Pair<>(new DefaultGradient(), out);
    }
  }
}
