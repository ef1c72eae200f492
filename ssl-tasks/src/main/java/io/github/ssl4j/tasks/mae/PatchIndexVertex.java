package io.github.ssl4j.tasks.mae;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * What {@link VisiblePatchGather} and {@link PatchScatter} share: two inputs (tokens and patch
 * indices {@code [batch, K]}), the number of patches N as their only setting, no parameters, no
 * masks, and no gradient for the indices.
 */
abstract class PatchIndexVertex extends GraphVertex {
  @JsonProperty
  protected long patches;

  /** For JSON deserialisation. */
  protected PatchIndexVertex() {}

  protected PatchIndexVertex(long patches) {
    if (patches < 1) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " patches must be >= 1, got " + patches
          + "; pass the number of patches N of the image");
    }
    this.patches = patches;
  }

  /** @return the number of patches N */
  public long getPatches() {
    return patches;
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && ((PatchIndexVertex) o).patches == patches;
  }

  @Override
  public int hashCode() {
    return getClass().getName().hashCode() * 31 + Long.hashCode(patches);
  }

  @Override
  public long numParams(boolean backprop) {
    return 0;
  }

  @Override
  public int minVertexInputs() {
    return 2;
  }

  @Override
  public int maxVertexInputs() {
    return 2;
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return new LayerMemoryReport.Builder(null, getClass(), inputTypes[0], getOutputType(-1, inputTypes))
        .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(patches=" + patches + ")";
  }

  /** The runtime side: inputs {tokens, indices}, no layer, no parameters, no masks. */
  abstract static class Runtime extends BaseGraphVertex {
    protected final long patches;

    Runtime(ComputationGraph graph, String name, int index, long patches, DataType dataType) {
      super(graph, name, index, null, null, dataType);
      this.patches = patches;
    }

    /** The (zero) gradient for the indices input. */
    protected INDArray indexGradient(LayerWorkspaceMgr workspaceMgr) {
      return workspaceMgr.create(ArrayType.ACTIVATION_GRAD, inputs[1].dataType(), inputs[1].shape());
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
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
      if (backpropGradientsViewArray != null) {
        throw new IllegalStateException(getClass().getName() + " has no parameters");
      }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
        int minibatchSize) {
      return null;
    }

    @Override
    public String toString() {
      return getClass().getName() + "(name=" + getVertexName() + ", patches=" + patches + ")";
    }
  }
}
