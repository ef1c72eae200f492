package io.github.ssl4j.core;

import io.github.ssl4j.core.text.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks that what a {@link PretrainedEncoder} says about itself (its {@link ModelMetadata}, input
 * type, padding id and vocabulary) agrees with its encoder-only graph, so that nothing downstream
 * sizes an array from a value the graph contradicts. The input type is checked by static shape
 * inference before anything runs; the representation width is what one forward pass of a single
 * all-zero example produces.
 */
final class EncoderGraphCheck {
  private EncoderGraphCheck() {}

  /**
   * Checks every field the graph also determines and returns the representation vertex.
   *
   * @param source what the values came from, for messages (e.g. {@code "File /x/encoder.zip"})
   * @param fix how to fix a mismatch, for messages
   * @return the graph's single output vertex, whose activations are [batch, representationSize]
   * @throws IllegalArgumentException naming the field, the value recorded, the value the graph
   *     determines, {@code source} and {@code fix}
   */
  static String representationVertex(String source, String fix, ComputationGraph graph,
      ModelMetadata metadata, InputType inputType, OptionalInt paddingId, Vocabulary vocabulary) {
    for (var field : new Object[][] {{"taskId", metadata.taskId()},
        {"encoderDescription", metadata.encoderDescription()},
        {"encoderInputType", metadata.encoderInputType()}, {"ssl4jVersion", metadata.ssl4jVersion()},
        {"dl4jVersion", metadata.dl4jVersion()}, {"createdAt", metadata.createdAt()}}) {
      if (field[1] == null || field[1].toString().isBlank()) {
        throw mismatch(source, fix, (String) field[0], field[1], "a non-empty string");
      }
    }
    ComputationGraphConfiguration conf = graph.getConfiguration();
    if (!conf.getNetworkInputs().equals(List.of(VertexNames.INPUT))) {
      throw mismatch(source, fix, "graph inputs", conf.getNetworkInputs(), List.of(VertexNames.INPUT)
          + " (an encoder-only graph fed by one input)");
    }
    List<String> outputs = conf.getNetworkOutputs();
    if (outputs.size() != 1) {
      throw mismatch(source, fix, "graph outputs", outputs,
          "exactly one output, the representation vertex");
    }
    String representation = outputs.get(0);
    if (!inputType.toString().equals(metadata.encoderInputType())) {
      throw mismatch(source, fix, "encoderInputType", metadata.encoderInputType(),
          inputType + " (the input type stored with the graph, " + PretrainedEncoder.INPUT_TYPE_ENTRY + ")");
    }
    // Infer every activation type from the stored input type on a copy that re-derives nIn, then
    // compare each layer's nIn with the graph's own: an input type the graph was not built for shows
    // up as the first layer whose nIn differs.
    ComputationGraphConfiguration probe = conf.clone();
    try {
      probe.getLayerActivationTypes(true, true, inputType);
    } catch (RuntimeException e) {
      throw mismatch(source, fix, "encoderInputType", inputType,
          "an input type the graph accepts (shape inference failed: " + e.getMessage() + ")");
    }
    for (String name : conf.getTopologicalOrderStr()) {
      GraphVertex v = conf.getVertices().get(name);
      if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FeedForwardLayer own
          && !(own instanceof EmbeddingLayer) && !(own instanceof EmbeddingSequenceLayer)) {
        Layer inferred = ((LayerVertex) probe.getVertices().get(name)).getLayerConf().getLayer();
        long derived = ((FeedForwardLayer) inferred).getNIn();
        if (derived != own.getNIn()) {
          throw mismatch(source, fix, "encoderInputType", inputType,
              "an input type that gives layer '" + name + "' its " + own.getNIn()
                  + " inputs; this one gives it " + derived);
        }
      }
    }
    long[] outShape = outputShapeOfOneExample(source, fix, graph, inputType);
    if (outShape.length != 2 || outShape[1] != metadata.representationSize()) {
      throw mismatch(source, fix, "representationSize", metadata.representationSize(),
          outShape.length != 2
              ? "a [batch, size] representation, but vertex '" + representation + "' outputs shape "
                  + Arrays.toString(outShape)
              : outShape[1] + " (the width the graph's representation vertex '" + representation
                  + "' outputs)");
    }
    List<String> missing = new ArrayList<>();
    for (String block : metadata.encoderBlocks()) {
      if (!conf.getVertices().containsKey(block)) {
        missing.add(block);
      }
    }
    if (!missing.isEmpty()) {
      throw mismatch(source, fix, "encoderBlocks", metadata.encoderBlocks(),
          "vertices of the graph, but " + missing + " are not; its vertices are "
              + new TreeSet<>(conf.getVertices().keySet()));
    }
    long ids = tokenIds(conf);
    if (paddingId.isPresent() && (paddingId.getAsInt() < 0 || (ids > 0 && paddingId.getAsInt() >= ids))) {
      throw mismatch(source, fix, "paddingId", paddingId.getAsInt(),
          ids > 0 ? "an id in [0, " + ids + ") (the token embedding's size)" : "an id >= 0");
    }
    if (vocabulary != null && ids > 0 && vocabulary.size() > ids) {
      throw mismatch(source, fix, "vocabulary size", vocabulary.size(),
          "at most " + ids + " (the token embedding's size)");
    }
    return representation;
  }

  /**
   * The shape the graph outputs for one all-zero example of {@code inputType} (token id 0 for token
   * encoders): the representation width as the graph computes it, whatever the layers declare.
   */
  private static long[] outputShapeOfOneExample(String source, String fix, ComputationGraph graph,
      InputType inputType) {
    long[] shape = InputShapes.expectedShape(inputType);
    for (int i = 0; i < shape.length; i++) {
      shape[i] = Math.max(shape[i], 1);
    }
    try {
      INDArray x = Nd4j.zeros(graph.getConfiguration().getDataType(), shape);
      return graph.output(false, x)[0].shape();
    } catch (RuntimeException e) {
      throw mismatch(source, fix, "encoderInputType", inputType,
          "an input type the graph accepts (a forward pass of one example of shape "
              + Arrays.toString(shape) + " failed: " + e.getMessage() + ")");
    }
  }

  /** Number of token ids an embedding fed directly by the input accepts, or -1 if there is none. */
  private static long tokenIds(ComputationGraphConfiguration conf) {
    for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
      if (e.getValue().equals(List.of(VertexNames.INPUT))
          && conf.getVertices().get(e.getKey()) instanceof LayerVertex lv) {
        Layer l = lv.getLayerConf().getLayer();
        if (l instanceof EmbeddingSequenceLayer || l instanceof EmbeddingLayer) {
          return ((FeedForwardLayer) l).getNIn();
        }
      }
    }
    return -1;
  }

  private static IllegalArgumentException mismatch(String source, String fix, String field,
      Object recorded, String expected) {
    return new IllegalArgumentException(source + " does not match its own graph: " + field + " is "
        + recorded + ", expected " + expected + ". " + fix);
  }
}
