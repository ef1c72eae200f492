package io.github.ssl4j.core.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.SameDiffLoss;

/**
 * A {@link SameDiffLoss} with correct gradients (works around DL4J 1.0.0-M2.1 bug B1,
 * docs/development/dl4j-workarounds.md).
 *
 * <p>Stock {@code SameDiffLoss} builds its SameDiff graph inside whatever DL4J workspace is open at
 * the first call (the second call then fails with "Axis array [...] contains values above array
 * rank"), and marks the per-example score vector as the loss, which SameDiff's backward pass does
 * not seed as "d(sum)/d(each element) = 1", so gradients are wrong. This class builds the graph
 * outside all workspaces and marks the <b>sum</b> of the per-example vector as the loss; DL4J's
 * convention (gradient of the summed score, averaged over the minibatch by the updater) then holds.
 *
 * <p>Subclasses define the per-example loss exactly as with {@code SameDiffLoss}:
 *
 * <pre>{@code
 * public final class MyMse extends FixedSameDiffLoss {
 *   public SDVariable defineLoss(SameDiff sd, SDVariable layerInput, SDVariable labels) {
 *     return sd.math().square(layerInput.sub(labels)).mean(1);   // shape [batch]
 *   }
 * }
 * }</pre>
 *
 * <p>Like every DL4J {@code ILossFunction}, a subclass is serialised to JSON with the network
 * configuration: give it a public no-argument constructor and only Jackson-serialisable fields.
 * An instance holds a lazily built SameDiff graph and is not thread-safe; do not share one between
 * networks trained concurrently. Remove this class when {@code SameDiffLossRegressionTest} fails
 * (i.e. DL4J fixed the bug).
 */
public abstract class FixedSameDiffLoss extends SameDiffLoss {
  /** Name of the scalar loss variable (sum of the per-example scores). */
  public static final String TOTAL_LOSS = "totalLoss";

  protected FixedSameDiffLoss() {}

  /**
   * Defines the per-example loss.
   *
   * @param sd the graph to build in
   * @param layerInput the output layer's activations (after its activation function), shape
   *     [batch, nOut]
   * @param labels shape [batch, nOut]
   * @return the per-example loss, shape [batch]
   */
  @Override
  public abstract SDVariable defineLoss(SameDiff sd, SDVariable layerInput, SDVariable labels);

  @Override
  protected void createSameDiffInstance(DataType dataType) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      SameDiff s = SameDiff.create();
      SDVariable layerInput = s.placeHolder("layerInput", dataType, -1);
      SDVariable labels = s.placeHolder("labels", dataType, -1);
      SDVariable perExample = defineLoss(s, layerInput, labels);
      if (perExample == null) {
        throw new IllegalStateException(getClass().getName()
            + ".defineLoss returned null; return the per-example loss, shape [batch]");
      }
      perExample.sum(TOTAL_LOSS).markAsLoss();
      SameDiffGradients.create(s, "layerInput");
      scorePerExampleVariable = perExample;
      sd = s;
    }
  }
}
