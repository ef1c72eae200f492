package io.github.ssl4j.core.dl4j;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Base class for custom SameDiff layers with correct gradients (works around DL4J 1.0.0-M2.1 bug
 * B2, docs/development/dl4j-workarounds.md).
 *
 * <p>DL4J's runtime {@code org.deeplearning4j.nn.layers.samediff.SameDiffLayer} returns gradients
 * exactly 2× too large — both the parameter gradients and the epsilon it passes to the layer below.
 * With adaptive updaters (Adam) a uniform 2× mostly cancels, but in a graph where such a layer sits
 * on one path of a residual connection the factor differs per path and the gradient direction is
 * wrong. Extend this class exactly as you would {@link SameDiffLayer} (implement {@code
 * defineLayer}, {@code defineParameters}, {@code initializeParameters}, {@code getOutputType}); its
 * {@link #instantiate} returns a runtime layer whose backward pass halves both outputs.
 *
 * <pre>{@code
 * public class MyDense extends CorrectedSameDiffLayer {
 *   private long nIn, nOut;               // JSON-serialised: keep a no-arg constructor
 *   public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
 *     return x.mmul(p.get("W")).add(p.get("b"));
 *   }
 *   ...
 * }
 * }</pre>
 *
 * <p>Gradient-check every custom layer (double precision, {@code GradientCheckUtil}). DL4J's own
 * layers built on {@code SameDiffLayer} ({@code SelfAttentionLayer}, likely {@code
 * LearnedSelfAttentionLayer} and {@code RecurrentAttentionLayer}) are affected and are not fixed by
 * this class. When {@code SameDiffLayerRegressionTest} fails, DL4J fixed the bug: change the base
 * class back to {@code SameDiffLayer}.
 */
public abstract class CorrectedSameDiffLayer extends SameDiffLayer {

  /** For JSON deserialisation and subclasses without a builder. */
  protected CorrectedSameDiffLayer() {}

  /** @param builder DL4J's SameDiff layer builder (updater, regularisation, weight init) */
  protected CorrectedSameDiffLayer(SameDiffLayer.Builder<?> builder) {
    super(builder);
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
      int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    return RuntimeLayers.wire(newRuntimeLayer(conf, networkDataType), this, conf, null, layerIndex,
        layerParamsView, initializeParams);
  }

  /**
   * Creates the runtime layer; {@link #instantiate} then sets its index, parameters and
   * configuration. Override to return a subclass of {@link HalvedGradientLayer} (e.g. one that
   * rebuilds its SameDiff graph when the input shape changes).
   *
   * @param conf the layer's configuration
   * @param dataType the network's data type
   * @return a new runtime layer
   */
  protected HalvedGradientLayer newRuntimeLayer(NeuralNetConfiguration conf, DataType dataType) {
    return new HalvedGradientLayer(conf, dataType);
  }

  /**
   * The runtime layer: DL4J's SameDiff layer with parameter gradients and epsilon halved. It also
   * calls {@link SameDiffLayer#validateInput} on every input and rebuilds its SameDiff graph when
   * the length of the last input dimension (the time steps of a sequence) changes, so layers may
   * use that length as a constant in {@code defineLayer} (DL4J builds the graph once, for the first
   * input's shape). Public only so that DL4J can instantiate and inspect it; not part of ssl4j's
   * API. Subclasses must call {@code super.backpropGradient} (which halves).
   */
  public static class HalvedGradientLayer extends org.deeplearning4j.nn.layers.samediff.SameDiffLayer {
    /**
     * @param conf the layer's configuration
     * @param dataType the network's data type
     */
    public HalvedGradientLayer(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      prepareForInput();
      return super.activate(training, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      prepareForInput();
      createGradientFunction();
      Pair<Gradient, INDArray> p = super.backpropGradient(epsilon, workspaceMgr);
      // The entries are views of this layer's gradient view array: halve in place.
      for (INDArray g : p.getFirst().gradientForVariable().values()) {
        g.divi(2);
      }
      p.getSecond().divi(2);
      return p;
    }

    /** As the superclass would, outside workspaces, but without SameDiff's stdout chatter. */
    private void createGradientFunction() {
      if (input == null) {
        return; // the superclass reports it
      }
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        if (sameDiff == null) {
          doInit();
        }
        if (!sameDiff.hasGradientFunction()) {
          SameDiffGradients.create(sameDiff, INPUT_KEY);
        }
      }
    }

    private void prepareForInput() {
      if (input == null) {
        return;
      }
      ((SameDiffLayer) layerConf()).validateInput(input);
      if (sameDiff == null) {
        return;
      }
      long[] built = sameDiff.getVariable(INPUT_KEY).getShape();
      if (input.rank() != built.length || input.size(input.rank() - 1) != built[built.length - 1]) {
        sameDiff = null; // the superclass rebuilds it (and its gradient function) for this input
      }
    }
  }
}
