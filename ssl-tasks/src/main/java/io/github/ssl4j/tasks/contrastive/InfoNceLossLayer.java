package io.github.ssl4j.tasks.contrastive;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Runtime layer of {@link InfoNceLoss}: a check of every batch (row count, labels, positives and
 * negatives) before it is scored or differentiated, so a malformed batch fails with a message that
 * says how to fix it instead of a NaN loss or a native error; then the loss and its gradient in
 * closed form.
 *
 * <p>{@link InfoNceLoss#defineLayer} stays the definition; DL4J's SameDiff output layer would run
 * that graph op by op (about thirty small ops forward, more backward), which costs far more than
 * the arithmetic. Here: z = x / n with n = sqrt(|x|² + ε), S = z zᵀ / T (one matrix product),
 * per row the softmax over the other rows and the loss, G = softmax − positives / |P|, dL/dz =
 * (G + Gᵀ) z / T (one matrix product) and dL/dx = (dL/dz − z (z · dL/dz)) / n. The score of the
 * step comes from the same computation. Equal to the graph to 1e-10 in double (tested).
 */
final class InfoNceLossLayer extends SameDiffOutputLayer {
  /** The input and labels of the last backward pass and the loss sum it computed, for the score. */
  private INDArray scoredInput;
  private INDArray scoredLabels;
  private double scoredSum = Double.NaN;

  InfoNceLossLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private void checkAndAlignLabels() {
    if (input == null) {
      return; // the superclass reports the missing input
    }
    InfoNceLoss.checkBatch(input, labels);
    if (labels.dataType() != input.dataType()) {
      // outside any workspace: the layer keeps these labels for the score that DL4J computes after
      // backprop, when the workspace open now has been reset (an array cast in it would be invalid)
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        labels = labels.castTo(input.dataType());
      }
    }
  }

  private double temperature() {
    return ((InfoNceLoss) conf.getLayer()).temperature();
  }

  @Override
  public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
    checkAndAlignLabels();
    assertInputSet(false);
    double sum = input == scoredInput && labels == scoredLabels ? scoredSum
        : lossAndGradient(input, labels, temperature(), false).sum();
    scoredInput = null;
    scoredLabels = null;
    return (sum + fullNetRegTerm) / input.size(0);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    checkAndAlignLabels();
    assertInputSet(true);
    Result r = lossAndGradient(input, labels, temperature(), true);
    scoredInput = input;
    scoredLabels = labels;
    scoredSum = r.sum();
    INDArray dLdIn = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
    dLdIn.assign(r.inputGradient());
    return new Pair<>(new DefaultGradient(), dLdIn);
  }

  @Override
  public void clear() {
    super.clear();
    scoredInput = null;
    scoredLabels = null;
  }

  /** The loss summed over rows and, when asked, its gradient with respect to the input. */
  record Result(double sum, INDArray inputGradient) {}

  /**
   * The loss of {@link InfoNceLoss#defineLayer} summed over the rows, and its gradient.
   *
   * @param x embeddings [rows, d]
   * @param labels image ids [rows, 1], checked by {@link InfoNceLoss#checkBatch}
   */
  static Result lossAndGradient(INDArray x, INDArray labels, double temperature, boolean gradient) {
    int rows = (int) x.size(0);
    INDArray norms = Transforms.sqrt(x.mul(x).sum(true, 1).addi(InfoNceLoss.NORM_EPSILON), false); // [R, 1]
    INDArray z = x.divColumnVector(norms);
    double[] s = Nd4j.gemm(z, z, false, true).data().asDouble(); // [R, R] cosines
    double[] ids = labels.toDoubleVector();
    double[] g = gradient ? new double[rows * rows] : null;
    double sum = 0;
    for (int i = 0; i < rows; i++) {
      int row = i * rows;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < rows; k++) {
        if (k != i) {
          max = Math.max(max, s[row + k] / temperature);
        }
      }
      double sumExp = 0;
      double positives = 0;
      double positiveLogits = 0;
      for (int k = 0; k < rows; k++) {
        if (k == i) {
          continue;
        }
        double logit = s[row + k] / temperature;
        sumExp += Math.exp(logit - max);
        if (ids[k] == ids[i]) {
          positives++;
          positiveLogits += logit;
        }
      }
      sum += Math.log(sumExp) + max - positiveLogits / positives;
      if (gradient) {
        for (int k = 0; k < rows; k++) {
          if (k != i) {
            g[row + k] = Math.exp(s[row + k] / temperature - max) / sumExp - (ids[k] == ids[i] ? 1 / positives : 0);
          }
        }
      }
    }
    if (!gradient) {
      return new Result(sum, null);
    }
    double[] h = new double[rows * rows]; // (G + Gᵀ) / T
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < rows; k++) {
        h[i * rows + k] = (g[i * rows + k] + g[k * rows + i]) / temperature;
      }
    }
    INDArray dz = Nd4j.gemm(Nd4j.create(h, new long[] {rows, rows}, 'c').castTo(x.dataType()), z, false, false);
    INDArray zDotDz = z.mul(dz).sum(true, 1); // [R, 1]
    INDArray dx = dz.subi(z.mulColumnVector(zDotDz)).diviColumnVector(norms);
    return new Result(sum, dx);
  }
}
