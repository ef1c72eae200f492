package io.github.ssl4j.core.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
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
 * A graph vertex that passes its one input through unchanged in the forward pass and sends a zero
 * gradient back: the stop-gradient ({@code detach()}) of PyTorch inside one DL4J {@code
 * ComputationGraph}. What lies before it receives no gradient through this path (it may through
 * others). SimSiam's target branch is {@code z → StopGradient → loss} while {@code z → predictor →
 * loss} trains the projector.
 *
 * <p>Any input type and shape; the output has the input's type and shape. Masks pass through. No
 * parameters.
 *
 * <pre>{@code
 * graph.addVertex(VertexNames.head("target"), new StopGradient(), "head/proj3-bn");
 * }</pre>
 *
 * <p>A graph containing it does not pass a whole-graph finite-difference gradient check, by design:
 * finite differences see the path whose gradient this vertex stops.
 */
public final class StopGradient extends GraphVertex {

  /** Creates the vertex (also used by JSON deserialisation). */
  public StopGradient() {}

  @Override
  public StopGradient clone() {
    return new StopGradient();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StopGradient;
  }

  @Override
  public int hashCode() {
    return StopGradient.class.getName().hashCode();
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

  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    if (vertexInputs.length != 1) {
      throw new IllegalArgumentException(
          "StopGradient takes exactly 1 input, got " + vertexInputs.length + "; add one StopGradient per input");
    }
    return vertexInputs[0];
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return new LayerMemoryReport.Builder(null, StopGradient.class, inputTypes[0], inputTypes[0])
        .standardMemory(0, 0)
        .workingMemory(0, 0, 0, 0)
        .cacheMemory(0, 0)
        .build();
  }

  @Override
  public String toString() {
    return "StopGradient()";
  }

  /** Runtime vertex; public only for DL4J. */
  public static final class Runtime extends BaseGraphVertex {
    Runtime(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
      super(graph, name, vertexIndex, null, null, dataType);
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
      if (!canDoForward()) {
        throw new IllegalStateException("Cannot do forward pass: input not set (StopGradient " + vertexName + ")");
      }
      return workspaceMgr.dup(ArrayType.ACTIVATIONS, inputs[0]);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      if (!canDoBackward()) {
        throw new IllegalStateException("Cannot do backward pass: gradient not set (StopGradient " + vertexName + ")");
      }
      INDArray zero = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
      zero.assign(0);
      return new Pair<>(null, new INDArray[] {zero});
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
      if (backpropGradientsViewArray != null) {
        throw new IllegalArgumentException(
            "StopGradient has no parameters, so no gradient view (vertex " + vertexName + ")");
      }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
        int minibatchSize) {
      if (maskArrays == null || maskArrays.length == 0) {
        return null;
      }
      return new Pair<>(maskArrays[0], currentMaskState);
    }

    @Override
    public String toString() {
      return "StopGradient(id=" + getVertexIndex() + ",name=\"" + getVertexName() + "\")";
    }
  }
}
