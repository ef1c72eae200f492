package io.github.ssl4j.core.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A graph vertex that reads a feature map {@code [batch, channels, height, width]} (NCHW) as a
 * sequence of its {@code height * width} positions, row-major: output {@code [batch, channels,
 * height * width]} (NCW), position {@code t = row * width + column}. No parameters; the backward
 * pass reshapes the gradient back. Feature masks are not supported (none are expected on images).
 *
 * <pre>{@code
 * graph.addLayer("patches", convolutionWithKernelEqualToStride, "input")     // [b, d, 7, 7]
 *      .addVertex("tokens", new FeatureMapToSequence(), "patches");         // [b, d, 49]
 * }</pre>
 */
public class FeatureMapToSequence extends GraphVertex {

  /** The only constructor; the vertex has no settings. */
  public FeatureMapToSequence() {}

  @Override
  public FeatureMapToSequence clone() {
    return new FeatureMapToSequence();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureMapToSequence;
  }

  @Override
  public int hashCode() {
    return FeatureMapToSequence.class.hashCode();
  }

  @Override
  public long numParams(boolean backprop) {
    return 0;
  }

  @Override
  public int minVertexInputs() {
    return 1;
  }

  @Override
  public int maxVertexInputs() {
    return 1;
  }

  @Override
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name,
      int idx, INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
    return new Runtime(graph, name, idx, networkDatatype);
  }

  /**
   * @return {@code recurrent(channels, height * width)} in NCW format
   * @throws InvalidInputTypeException if the input is not convolutional (NCHW)
   */
  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    if (vertexInputs.length != 1 || !(vertexInputs[0] instanceof InputType.InputTypeConvolutional c)
        || c.getFormat() != org.deeplearning4j.nn.conf.CNN2DFormat.NCHW) {
      throw new InvalidInputTypeException("FeatureMapToSequence expects one convolutional NCHW input but got "
          + Arrays.toString(vertexInputs) + "; put it after a convolution layer");
    }
    return InputType.recurrent(c.getChannels(), c.getHeight() * c.getWidth(), RNNFormat.NCW);
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return new LayerMemoryReport.Builder(null, FeatureMapToSequence.class, inputTypes[0],
        getOutputType(-1, inputTypes)).standardMemory(0, 0).workingMemory(0, 0, 0, 0)
        .cacheMemory(0, 0).build();
  }

  @Override
  public String toString() {
    return "FeatureMapToSequence";
  }

  /** Runtime vertex; public only for DL4J. */
  public static final class Runtime extends BaseGraphVertex {
    Runtime(ComputationGraph graph, String name, int index, DataType dataType) {
      super(graph, name, index, null, null, dataType);
    }

    @Override
    public boolean hasLayer() {
      return false;
    }

    @Override
    public Layer getLayer() {
      return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      INDArray x = inputs[0];
      if (x.rank() != 4) {
        throw new IllegalArgumentException("FeatureMapToSequence expects [batch, channels, height, width]"
            + " but got shape " + Arrays.toString(x.shape()));
      }
      return workspaceMgr.dup(ArrayType.ACTIVATIONS,
          x.reshape('c', x.size(0), x.size(1), x.size(2) * x.size(3)));
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      INDArray grad = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon.reshape('c', inputs[0].shape()));
      return new Pair<>(null, new INDArray[] {grad});
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
      if (backpropGradientsViewArray != null) {
        throw new IllegalStateException("FeatureMapToSequence has no parameters");
      }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
        int minibatchSize) {
      return null;
    }

    @Override
    public String toString() {
      return "FeatureMapToSequence(name=" + getVertexName() + ")";
    }
  }
}
