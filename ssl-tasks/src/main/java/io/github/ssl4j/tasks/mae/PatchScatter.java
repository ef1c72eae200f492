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
 * Puts tokens back at their patch positions, the inverse of {@link VisiblePatchGather}: inputs
 * {@code tokens [batch, d, K]} (NCW) and {@code indices [batch, K]} (distinct integers in [0, N), a
 * graph input), output {@code [batch, d, N]} with {@code y[i, :, indices[i, k]] = tokens[i, :, k]}
 * and 0 at the other positions. The backward pass gathers the gradient of the listed positions; the
 * indices get no gradient. No parameters. MAE's decoder uses it to restore the patch order; the
 * mask token is then added by the decoder's position embedding (see {@link
 * MaskedAutoencoderTask}).
 */
public class PatchScatter extends PatchIndexVertex {

  /** For JSON deserialisation. */
  protected PatchScatter() {}

  /**
   * @param patches number of positions N of the output sequence, &gt;= 1
   * @throws IllegalArgumentException if {@code patches < 1}
   */
  public PatchScatter(long patches) {
    super(patches);
  }

  @Override
  public PatchScatter clone() {
    return new PatchScatter(patches);
  }

  @Override
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name,
      int idx, INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
    return new Runtime(graph, name, idx, patches, networkDatatype);
  }

  /**
   * @return {@code recurrent(d, N)}
   * @throws InvalidInputTypeException unless the inputs are {@code recurrent(d, K)} (NCW) and
   *     {@code feedForward(K)} with {@code K <= N}
   */
  @Override
  public InputType getOutputType(int layerIndex, InputType... inputs) {
    if (inputs.length != 2 || !(inputs[0] instanceof InputType.InputTypeRecurrent r)
        || r.getFormat() != RNNFormat.NCW
        || !(inputs[1] instanceof InputType.InputTypeFeedForward f) || f.getSize() > patches
        || (r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() != f.getSize())) {
      throw new InvalidInputTypeException("PatchScatter(" + patches + ") expects inputs"
          + " recurrent(d, K) in NCW format and feedForward(K) with K <= " + patches
          + " (the patch indices of the tokens) but got " + Arrays.toString(inputs));
    }
    return InputType.recurrent(r.getSize(), patches, RNNFormat.NCW);
  }

  /** Runtime vertex; public only for DL4J. */
  public static final class Runtime extends PatchIndexVertex.Runtime {
    Runtime(ComputationGraph graph, String name, int index, long patches, DataType dataType) {
      super(graph, name, index, patches, dataType);
    }

    private INDArray selection() {
      INDArray x = inputs[0];
      if (x.rank() != 3 || x.size(2) != inputs[1].size(1) || inputs[1].size(0) != x.size(0)) {
        throw new IllegalArgumentException("PatchScatter expects tokens [batch, d, K] and indices"
            + " [batch, K] but got " + Arrays.toString(x.shape()) + " and "
            + Arrays.toString(inputs[1].shape()));
      }
      return PatchSelection.oneHot(inputs[1], patches, x.dataType(), "PatchScatter");
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      INDArray s = selection();
      INDArray x = inputs[0];
      INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(),
          x.size(0), x.size(1), patches);
      return PatchSelection.matmul(x.dup('c'), s, false, out);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      INDArray s = selection();
      INDArray x = inputs[0];
      INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape());
      PatchSelection.matmul(epsilon.dup('c'), s, true, dx);
      return new Pair<>(null, new INDArray[] {dx, indexGradient(workspaceMgr)});
    }
  }
}
