package io.github.ssl4j.core;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;

/** How a representation vector is formed from an encoder output of any type. */
public final class Representations {
  private Representations() {}

  /** Size of the representation for an encoder output type. */
  public static int size(InputType outputType) {
    if (outputType instanceof InputType.InputTypeFeedForward ff) {
      return Math.toIntExact(ff.getSize());
    }
    if (outputType instanceof InputType.InputTypeConvolutional cnn) {
      return Math.toIntExact(cnn.getChannels());
    }
    if (outputType instanceof InputType.InputTypeRecurrent rnn) {
      return Math.toIntExact(rnn.getSize());
    }
    if (outputType instanceof InputType.InputTypeConvolutional3D c3) {
      return Math.toIntExact(c3.getChannels());
    }
    throw new IllegalArgumentException(
        "Unsupported encoder output type " + outputType
            + "; expected feed-forward, convolutional or recurrent");
  }

  /**
   * Adds the representation vertex after {@code encoderOutput}: nothing for a feed-forward output,
   * global average pooling ({@link VertexNames#REPRESENTATION}) otherwise.
   *
   * @return name of the vertex whose activations are the representation, shape [batch, size]
   */
  public static String addTo(
      ComputationGraphConfiguration.GraphBuilder graph, String encoderOutput, InputType outputType) {
    if (outputType instanceof InputType.InputTypeFeedForward) {
      return encoderOutput;
    }
    size(outputType); // validates the type
    graph.addLayer(
        VertexNames.REPRESENTATION,
        new GlobalPoolingLayer.Builder(PoolingType.AVG).build(),
        encoderOutput);
    return VertexNames.REPRESENTATION;
  }
}
