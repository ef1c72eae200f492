package io.github.ssl4j.tasks.mae;

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
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keeps the visible tokens of a patch sequence: inputs {@code tokens [batch, d, N]} (NCW) and {@code
 * indices [batch, K]} (the visible patches of each image, distinct integers in [0, N), a graph
 * input), output {@code [batch, d, K]} with {@code y[i, :, k] = tokens[i, :, indices[i, k]]}. The
 * backward pass scatters the gradient back to the visible positions (masked positions get 0); the
 * indices get no gradient. No parameters. MAE's encoder sees only these K tokens.
 */
public class VisiblePatchGather extends GraphVertex {
  @JsonProperty
  private long patches;

  /** For JSON deserialisation. */
  protected VisiblePatchGather() {}

  /**
   * @param patches number of tokens N of the input sequence, &gt;= 1
   * @throws IllegalArgumentException if {@code patches < 1}
   */
  public VisiblePatchGather(long patches) {
    if (patches < 1) {
      throw new IllegalArgumentException("VisiblePatchGather patches must be >= 1, got " + patches
          + "; pass the number of tokens N of the encoder's sequence");
    }
    this.patches = patches;
  }

  /** @return the number of tokens N of the input sequence */
  public long getPatches() {
    return patches;
  }

  @Override
  public VisiblePatchGather clone() {
    return new VisiblePatchGather(patches);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VisiblePatchGather g && g.patches == patches;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(patches) * 31 + 7;
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
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name,
      int idx, INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
    return new Runtime(graph, name, idx, patches, networkDatatype);
  }

  /**
   * @return {@code recurrent(d, K)}
   * @throws InvalidInputTypeException unless the inputs are {@code recurrent(d, N)} (NCW) and
   *     {@code feedForward(K)}
   */
  @Override
  public InputType getOutputType(int layerIndex, InputType... inputs) {
    if (inputs.length != 2 || !(inputs[0] instanceof InputType.InputTypeRecurrent r)
        || r.getFormat() != RNNFormat.NCW
        || (r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() != patches)
        || !(inputs[1] instanceof InputType.InputTypeFeedForward f) || f.getSize() > patches) {
      throw new InvalidInputTypeException("VisiblePatchGather(" + patches + ") expects inputs"
          + " recurrent(d, " + patches + ") in NCW format and feedForward(K <= " + patches
          + ") (the visible patch indices) but got " + Arrays.toString(inputs));
    }
    return InputType.recurrent(r.getSize(), f.getSize(), RNNFormat.NCW);
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return new LayerMemoryReport.Builder(null, VisiblePatchGather.class, inputTypes[0],
        getOutputType(-1, inputTypes)).standardMemory(0, 0).workingMemory(0, 0, 0, 0)
        .cacheMemory(0, 0).build();
  }

  @Override
  public String toString() {
    return "VisiblePatchGather(patches=" + patches + ")";
  }

  /** Runtime vertex; public only for DL4J. */
  public static final class Runtime extends BaseGraphVertex {
    private final long patches;

    Runtime(ComputationGraph graph, String name, int index, long patches, DataType dataType) {
      super(graph, name, index, null, null, dataType);
      this.patches = patches;
    }

    private INDArray selection() {
      INDArray x = inputs[0];
      if (x.rank() != 3 || x.size(2) != patches || inputs[1].size(0) != x.size(0)) {
        throw new IllegalArgumentException("VisiblePatchGather expects tokens [batch, d, " + patches
            + "] and indices [batch, K] but got " + Arrays.toString(x.shape()) + " and "
            + Arrays.toString(inputs[1].shape()));
      }
      return PatchSelection.oneHot(inputs[1], patches, x.dataType(), "VisiblePatchGather");
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
      INDArray s = selection();
      INDArray x = inputs[0];
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(),
          x.size(0), x.size(1), s.size(1));
      return PatchSelection.matmul(x.dup('c'), s, true, out);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      INDArray s = selection();
      INDArray x = inputs[0];
      INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape());
      PatchSelection.matmul(epsilon.dup('c'), s, false, dx);
      INDArray dIndices = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, inputs[1].dataType(),
          inputs[1].shape());
      return new Pair<>(null, new INDArray[] {dx, dIndices});
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
      if (backpropGradientsViewArray != null) {
        throw new IllegalStateException("VisiblePatchGather has no parameters");
      }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
        int minibatchSize) {
      return null;
    }

    @Override
    public String toString() {
      return "VisiblePatchGather(name=" + getVertexName() + ", patches=" + patches + ")";
    }
  }
}
