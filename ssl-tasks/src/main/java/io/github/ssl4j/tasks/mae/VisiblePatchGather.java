package io.github.ssl4j.tasks.mae;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps the visible tokens of a patch sequence: inputs {@code tokens [batch, d, N]} (NCW) and {@code
 * indices [batch, K]} (the visible patches of each image, distinct integers in [0, N), a graph
 * input), output {@code [batch, d, K]} with {@code y[i, :, k] = tokens[i, :, indices[i, k]]}. The
 * backward pass scatters the gradient back to the visible positions (masked positions get 0); the
 * indices get no gradient. No parameters. MAE's encoder sees only these K tokens.
 */
public class VisiblePatchGather extends PatchIndexVertex {

  /** For JSON deserialisation. */
  protected VisiblePatchGather() {}

  /**
   * @param patches number of tokens N of the input sequence, &gt;= 1
   * @throws IllegalArgumentException if {@code patches < 1}
   */
  public VisiblePatchGather(long patches) {
    super(patches);
  }

  @Override
  public VisiblePatchGather clone() {
    return new VisiblePatchGather(patches);
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

  /** Runtime vertex; public only for DL4J. */
  public static final class Runtime extends PatchIndexVertex.Runtime {
    Runtime(ComputationGraph graph, String name, int index, long patches, DataType dataType) {
      super(graph, name, index, patches, dataType);
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
      return new Pair<>(null, new INDArray[] {dx, indexGradient(workspaceMgr)});
    }
  }
}
