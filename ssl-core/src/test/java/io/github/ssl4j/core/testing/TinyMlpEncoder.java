package io.github.ssl4j.core.testing;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * A tiny dropout-free MLP encoder for tests: feed-forward input of {@code inputSize}, one dense layer
 * per width, named {@code encoder/dense1}, {@code encoder/dense2}, ...
 *
 * @param inputSize input dimension d (examples shaped [batch, d])
 * @param widths layer widths, input side first; the last is the representation size
 * @param activation activation of every layer (a smooth one such as TANH for gradient checks)
 */
public record TinyMlpEncoder(int inputSize, List<Integer> widths, Activation activation)
    implements Encoder {

  public TinyMlpEncoder {
    widths = List.copyOf(widths);
    if (inputSize <= 0 || widths.isEmpty() || widths.stream().anyMatch(w -> w <= 0)) {
      throw new IllegalArgumentException(
          "TinyMlpEncoder needs inputSize > 0 and at least one width, all > 0; got inputSize="
              + inputSize + ", widths=" + widths);
    }
  }

  /** A one-layer tanh encoder d -> width. */
  public static TinyMlpEncoder of(int inputSize, int width) {
    return new TinyMlpEncoder(inputSize, List.of(width), Activation.TANH);
  }

  @Override
  public InputType inputType() {
    return InputType.feedForward(inputSize);
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    String previous = input;
    int nIn = inputSize;
    for (int i = 0; i < widths.size(); i++) {
      String name = VertexNames.encoder("dense" + (i + 1));
      graph.addLayer(
          name,
          new DenseLayer.Builder().nIn(nIn).nOut(widths.get(i)).activation(activation).build(),
          previous);
      nIn = widths.get(i);
      previous = name;
    }
    return previous;
  }

  @Override
  public InputType outputType() {
    return InputType.feedForward(widths.get(widths.size() - 1));
  }

  @Override
  public List<String> blockOutputs() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < widths.size(); i++) {
      names.add(VertexNames.encoder("dense" + (i + 1)));
    }
    return List.copyOf(names);
  }
}
