package io.github.ssl4j.tasks.contrastive;

import io.github.ssl4j.core.dl4j.SameDiffGradients;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffOutputLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime layer of {@link InfoNceLoss}: DL4J's SameDiff output layer plus a check of every batch
 * (row count, labels, positives and negatives) before it is scored or differentiated, so a malformed
 * batch fails with a message that says how to fix it instead of a NaN loss or a native error.
 */
final class InfoNceLossLayer extends SameDiffOutputLayer {

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

  @Override
  public double computeScore(
      double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
    checkAndAlignLabels();
    return super.computeScore(fullNetRegTerm, training, workspaceMgr);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    checkAndAlignLabels();
    if (input != null) {
      // as the superclass would, but without SameDiff's stdout chatter
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        if (sameDiff == null) {
          doInit();
        }
        if (!sameDiff.hasGradientFunction()) {
          SameDiffGradients.create(sameDiff, INPUT_KEY);
        }
      }
    }
    return super.backpropGradient(epsilon, workspaceMgr);
  }
}
