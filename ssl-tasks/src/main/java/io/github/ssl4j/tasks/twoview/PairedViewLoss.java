package io.github.ssl4j.tasks.twoview;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The common part of the losses over two stacked views of a batch (SimSiam, Barlow Twins, VICReg),
 * as a DL4J {@link ILossFunction} for a parameter-free {@code LossLayer}: the loss is computed and
 * differentiated in closed form with native ND4J ops (no SameDiff), the batch is checked first, and
 * the value is scaled to DL4J's conventions.
 *
 * <p><b>Input</b> (the layer's activations, its activation function applied first): shape [2N, k],
 * row {@code i} the first view of image {@code i} and row {@code N + i} its second view, as {@link
 * TwoViewBatches#prepare} lays them out. <b>Labels</b>: image ids, shape [2N, 1], rows {@code i} and
 * {@code N + i} holding the same id and every id different ({@code InfoNceLoss.viewLabels(N, 2,
 * type)}); they only check the layout. No mask (a mask is rejected).
 *
 * <p><b>Value</b>: {@link #lossAndGradient} defines the method's loss L of one batch, as its paper
 * does. DL4J divides an output layer's score and gradients by the minibatch size (the 2N rows), so
 * this class reports {@code 2N · L} as the summed score and {@code 2N · dL/dx} as the gradient: the
 * graph's {@code score()} is then exactly L and its parameter gradients those of L. The per-example
 * score array holds L in every row (the loss couples the rows).
 *
 * <p>Subclasses are immutable and JSON-serialisable (fields annotated with the shaded Jackson
 * {@code @JsonProperty}, a no-argument constructor).
 */
public abstract class PairedViewLoss implements ILossFunction {

  /**
   * DL4J's parameter-free {@code LossLayer} with this loss and the identity activation, for inputs
   * of width {@code width} (set as the layer's nIn and nOut, so the graph's type inference sees the
   * width instead of a size of zero).
   *
   * @param width the input width k, at least 1
   */
  public LossLayer layer(int width) {
    if (width < 1) {
      throw new IllegalArgumentException(method() + " loss layer width must be >= 1, got " + width);
    }
    LossLayer layer = new LossLayer.Builder(this).activation(Activation.IDENTITY).build();
    layer.setNIn(width);
    layer.setNOut(width);
    return layer;
  }

  /** The short name of the loss for messages, e.g. "Barlow Twins". */
  protected abstract String method();

  /**
   * The loss of one batch and, when {@code gradient} is not null, its gradient.
   *
   * @param x the two stacked views, shape [2N, k], N &gt;= {@link #minimumImages()}
   * @param gradient null, or an array shaped like {@code x} to receive dL/dx
   * @return L
   */
  protected abstract double lossAndGradient(INDArray x, INDArray gradient);

  /** The fewest images per batch the loss is defined for; 1 unless overridden. */
  protected int minimumImages() {
    return 1;
  }

  /**
   * Checks the shape of the input [2N, k] (N &gt;= {@link #minimumImages()}) and, if not null, of the
   * labels; subclasses add checks of k.
   *
   * @throws IllegalArgumentException what is wrong and how to fix it
   */
  protected void checkInput(INDArray x, INDArray labels) {
    if (x.rank() != 2) {
      throw new IllegalArgumentException(method() + " loss expects embeddings of shape [2N, d], got shape "
          + Arrays.toString(x.shape()) + "; put a projection head (or global pooling) before the loss");
    }
    long rows = x.size(0);
    if (rows % 2 != 0 || rows / 2 < minimumImages()) {
      throw new IllegalArgumentException(method() + " loss needs the two views of N >= " + minimumImages()
          + " images stacked in one batch (2N rows), got " + rows + " rows"
          + "; prepare batches with TwoViewBatches.prepare and a batch size of " + minimumImages() + " or more");
    }
    if (labels == null) {
      throw new IllegalArgumentException(method() + " loss needs labels of shape [" + rows + ", 1] (image ids),"
          + " got none; use InfoNceLoss.viewLabels(N, 2, dataType)");
    }
    if (labels.length() != rows) {
      throw new IllegalArgumentException(method() + " loss labels must have shape [" + rows + ", 1] (one image id"
          + " per row), got " + Arrays.toString(labels.shape()) + "; use InfoNceLoss.viewLabels(N, 2, dataType)");
    }
    double[] ids = labels.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    int n = (int) (rows / 2);
    Set<Double> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      if (ids[i] != ids[n + i]) {
        throw new IllegalArgumentException(method() + " loss pairs row i with row N + i (N = " + n + "), but rows "
            + i + " and " + (n + i) + " carry image ids " + ids[i] + " and " + ids[n + i]
            + "; stack view 1 of all images, then view 2 in the same order (TwoViewBatches.prepare)");
      }
      if (!seen.add(ids[i])) {
        throw new IllegalArgumentException(method() + " loss expects each image once per view, but image id "
            + ids[i] + " occurs again at row " + i + "; stack view 1 of all N images, then view 2 of the same"
            + " images (TwoViewBatches.prepare)");
      }
    }
  }

  private INDArray activated(INDArray preOutput, IActivation activationFn) {
    return activationFn.getActivation(preOutput.dup(), true);
  }

  private void checkMask(INDArray mask) {
    if (mask != null) {
      throw new IllegalArgumentException(method() + " loss takes no mask (every row is one view of one image),"
          + " got one of shape " + Arrays.toString(mask.shape()) + "; drop the labels mask from the batch");
    }
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
      boolean average) {
    checkMask(mask);
    INDArray x = activated(preOutput, activationFn);
    checkInput(x, labels);
    double loss = lossAndGradient(x, null);
    return average ? loss : loss * x.size(0);
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    double loss = computeScore(labels, preOutput, activationFn, mask, true);
    return Nd4j.valueArrayOf(new long[] {preOutput.size(0), 1}, loss, preOutput.dataType());
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    return computeGradientAndScore(labels, preOutput, activationFn, mask, false).getSecond();
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
      IActivation activationFn, INDArray mask, boolean average) {
    checkMask(mask);
    INDArray x = activated(preOutput, activationFn);
    checkInput(x, labels);
    INDArray dx = Nd4j.zeros(x.dataType(), x.shape());
    double loss = lossAndGradient(x, dx);
    long rows = x.size(0);
    dx.muli(rows); // DL4J divides by the minibatch size
    INDArray dPre = activationFn.backprop(preOutput.dup(), dx).getFirst();
    return new Pair<>(average ? loss : loss * rows, dPre);
  }

  @Override
  public String name() {
    return toString();
  }
}
