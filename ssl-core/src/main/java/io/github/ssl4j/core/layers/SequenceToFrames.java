package io.github.ssl4j.core.layers;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.preprocessor.RnnToCnnPreProcessor;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DL4J's {@link RnnToCnnPreProcessor} (a sequence {@code [batch, height·width·channels, time]} to
 * one image per time step, {@code [batch·time, channels, height, width]}) whose backward pass lets
 * a missing gradient through: when the layer above computes no input gradient, as a first layer
 * on the network's input need not (see {@link InputGradients}), the backward pass returns null
 * instead of failing. Otherwise it is DL4J's preprocessor, with the same JSON fields.
 */
public class SequenceToFrames extends RnnToCnnPreProcessor {

  /**
   * @param inputHeight frame height in pixels, positive
   * @param inputWidth frame width in pixels, positive
   * @param numChannels channels per frame, positive
   * @param rnnDataFormat layout of the sequence, NCW ({@code [batch, features, time]}) or NWC
   */
  public SequenceToFrames(@JsonProperty("inputHeight") int inputHeight,
      @JsonProperty("inputWidth") int inputWidth,
      @JsonProperty("numChannels") int numChannels,
      @JsonProperty("rnnDataFormat") RNNFormat rnnDataFormat) {
    super(inputHeight, inputWidth, numChannels, rnnDataFormat);
  }

  /** Frames of a {@code [batch, height·width·channels, time]} (NCW) sequence. */
  public SequenceToFrames(int inputHeight, int inputWidth, int numChannels) {
    this(inputHeight, inputWidth, numChannels, RNNFormat.NCW);
  }

  @Override
  public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
    return output == null ? null : super.backprop(output, miniBatchSize, workspaceMgr);
  }

  @Override
  public SequenceToFrames clone() {
    return new SequenceToFrames(getInputHeight(), getInputWidth(), getNumChannels(), getRnnDataFormat());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SequenceToFrames && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    return other instanceof SequenceToFrames;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + 5;
  }
}
