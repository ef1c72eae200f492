package io.github.ssl4j.core.layers;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * DL4J's {@link EmbeddingSequenceLayer} for token ids {@code [batch, length]} whose vocabulary size
 * survives graph building: DL4J's graph builder overrides {@code nIn} with the input size, which
 * for an {@code InputType.feedForward(length)} input of ids is the sequence length, not the
 * vocabulary. This subclass keeps the {@code nIn} it was given. Output {@code [batch, width,
 * length]} (NCW), no bias, identity activation, weights N(0, 1) as PyTorch's {@code nn.Embedding}.
 */
public class TokenEmbedding extends EmbeddingSequenceLayer {

  /** For JSON deserialisation. */
  public TokenEmbedding() {}

  /**
   * @param vocabSize number of token ids (nIn), at least 1
   * @param width embedding size (nOut), at least 1
   * @param length sequence length, at least 1
   * @throws IllegalArgumentException when a value is below 1
   */
  public TokenEmbedding(int vocabSize, int width, int length) {
    if (vocabSize < 1 || width < 1 || length < 1) {
      throw new IllegalArgumentException("TokenEmbedding sizes must be at least 1 but were vocabSize="
          + vocabSize + ", width=" + width + ", length=" + length);
    }
    setNIn(vocabSize);
    setNOut(width);
    setInputLength(length);
    setHasBias(false);
    setOutputFormat(RNNFormat.NCW);
    setActivationFn(new ActivationIdentity());
    setWeightInitFn(new WeightInitDistribution(new NormalDistribution(0, 1)));
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    if (getNIn() <= 0) {
      super.setNIn(inputType, override);
    }
  }
}
