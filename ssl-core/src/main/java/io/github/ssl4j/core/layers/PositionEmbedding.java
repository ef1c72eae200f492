package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.CorrectedSameDiffLayer;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learned absolute position embeddings added to a sequence of token embeddings (as BERT's): {@code
 * y[:, :, t] = x[:, :, t] + P[:, t]} for activations {@code [batch, d, T]} (DL4J NCW) with one
 * learned {@code d}-vector per position up to {@code maxLength}. Parameter {@value #WEIGHTS} has
 * shape [d, maxLength] and starts as N(0, 1), as PyTorch's {@code nn.Embedding}. Shorter sequences
 * use the first T columns. Masks pass through unchanged.
 *
 * <pre>{@code
 * graph.addLayer("tokens", new EmbeddingSequenceLayer.Builder().nIn(vocab).nOut(128).inputLength(64).build(), "input")
 *      .addLayer("positions", new PositionEmbedding(128, 64), "tokens");
 * }</pre>
 */
public class PositionEmbedding extends CorrectedSameDiffLayer {
  /** Name of the [d, maxLength] parameter. */
  public static final String WEIGHTS = "P";

  @JsonProperty
  private long size;
  @JsonProperty
  private long maxLength;

  /** For JSON deserialisation. */
  protected PositionEmbedding() {}

  /**
   * @param size embedding size d (the input's feature dimension), at least 1
   * @param maxLength longest sequence the layer accepts, at least 1
   * @throws IllegalArgumentException when a value is out of range
   */
  public PositionEmbedding(long size, long maxLength) {
    if (size < 1) {
      throw new IllegalArgumentException("PositionEmbedding size must be at least 1 but was " + size
          + "; pass the embedding size d of the [batch, d, T] input");
    }
    if (maxLength < 1) {
      throw new IllegalArgumentException("PositionEmbedding maxLength must be at least 1 but was "
          + maxLength + "; pass the longest sequence length, e.g. 64 for windows of TokenWindows.DEFAULT_LENGTH");
    }
    this.size = size;
    this.maxLength = maxLength;
  }

  /** @return the embedding size d */
  public long getSize() {
    return size;
  }

  /** @return the longest accepted sequence */
  public long getMaxLength() {
    return maxLength;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    long steps = x.getShape()[2];
    SDVariable table = p.get(WEIGHTS);
    SDVariable used = steps == maxLength ? table : table.get(SDIndex.all(), SDIndex.interval(0L, steps));
    return x.add(sd.reshape(used, 1, size, steps));
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam(WEIGHTS, size, maxLength);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    INDArray p = params.get(WEIGHTS);
    p.assign(org.nd4j.linalg.factory.Nd4j.randn(p.dataType(), p.shape()));
  }

  @Override
  public void validateInput(INDArray input) {
    if (input.rank() != 3 || input.size(1) != size || input.size(2) > maxLength) {
      throw new IllegalArgumentException("PositionEmbedding(" + size + ", maxLength " + maxLength
          + ") expects activations [batch, " + size + ", T <= " + maxLength + "] but got shape "
          + Arrays.toString(input.shape()) + (input.rank() == 3 && input.size(2) > maxLength
              ? "; the sequences are longer than the layer was built for: cut them to " + maxLength
                  + " tokens or build the encoder with a larger maximum length"
              : "; put it after an EmbeddingSequenceLayer with nOut " + size));
    }
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeRecurrent r) || r.getSize() != size
        || r.getFormat() != RNNFormat.NCW) {
      throw new IllegalArgumentException("PositionEmbedding (layer " + layerIndex + ") expects input type"
          + " recurrent(" + size + ") in NCW format but got " + inputType
          + "; put it after an EmbeddingSequenceLayer with nOut " + size + " and NCW output");
    }
    if (r.getTimeSeriesLength() > maxLength) {
      throw new IllegalArgumentException("PositionEmbedding (layer " + layerIndex + ") has maxLength "
          + maxLength + " but the input sequences have length " + r.getTimeSeriesLength()
          + "; build it with maxLength >= " + r.getTimeSeriesLength());
    }
    return InputType.recurrent(size, r.getTimeSeriesLength());
  }

  @Override
  public String toString() {
    return "PositionEmbedding[d=" + size + ", maxLength=" + maxLength + "]";
  }
}
