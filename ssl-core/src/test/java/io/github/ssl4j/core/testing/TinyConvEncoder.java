package io.github.ssl4j.core.testing;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.VertexNames;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * A tiny dropout-free convolutional encoder for tests: one 3x3 same-padded tanh convolution named
 * {@code encoder/conv1}; input [batch, channels, height, width], output a feature map with {@code
 * filters} channels of the same height and width.
 */
public record TinyConvEncoder(int height, int width, int channels, int filters) implements Encoder {
  /** Name of the single convolution vertex. */
  public static final String CONV = VertexNames.encoder("conv1");

  public TinyConvEncoder {
    if (height <= 0 || width <= 0 || channels <= 0 || filters <= 0) {
      throw new IllegalArgumentException(
          "TinyConvEncoder sizes must all be > 0, got height=" + height + ", width=" + width
              + ", channels=" + channels + ", filters=" + filters);
    }
  }

  @Override
  public InputType inputType() {
    return InputType.convolutional(height, width, channels);
  }

  @Override
  public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
    graph.addLayer(
        CONV,
        new ConvolutionLayer.Builder(3, 3)
            .nIn(channels)
            .nOut(filters)
            .convolutionMode(ConvolutionMode.Same)
            .activation(Activation.TANH)
            .build(),
        input);
    return CONV;
  }

  @Override
  public InputType outputType() {
    return InputType.convolutional(height, width, filters);
  }

  @Override
  public List<String> blockOutputs() {
    return List.of(CONV);
  }
}
