package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.OneDnn;
import io.github.ssl4j.core.dl4j.OneDnnConvolution;
import io.github.ssl4j.core.dl4j.OneDnnLayouts;
import io.github.ssl4j.core.dl4j.RuntimeLayers;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.common.primitives.Pair;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's 2-D {@link SubsamplingLayer} whose forward pass goes through the layer's helper, so that
 * the backward pass can reuse what the forward pass found.
 *
 * <p>DL4J 1.0.0-M2.1's subsampling layer computes its forward pass with ND4J's pooling op and
 * gives only the backward pass to its helper, which for max pooling must then run the forward pass
 * again to find the maxima. This layer hands the forward pass to the helper too; with ssl4j's
 * oneDNN max-pooling helper (installed by {@code LayerHelpers} when oneDNN's natives are present)
 * the backward pass reuses the positions of the maxima. Without a helper, or when the helper
 * declines, DL4J's own forward pass runs. Outputs and gradients are those of {@link
 * SubsamplingLayer}, and so are its options and serialised form; build it with {@link Builder}.
 */
public class SingleForwardPooling extends SubsamplingLayer {

  /** For JSON deserialisation. */
  public SingleForwardPooling() {}

  private SingleForwardPooling(Builder builder) {
    super(builder);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SingleForwardPooling other && other.canEqual(this) && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    return other instanceof SingleForwardPooling;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + SingleForwardPooling.class.getSimpleName().hashCode();
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType networkDataType) {
    return RuntimeLayers.wire(new Runtime(conf, networkDataType), this, conf, listeners, layerIndex,
        paramsView, initializeParams);
  }

  /** {@link SubsamplingLayer.Builder} building a {@link SingleForwardPooling}. */
  public static final class Builder extends SubsamplingLayer.Builder {
    /** @param poolingType max, average, ... */
    public Builder(org.deeplearning4j.nn.conf.layers.PoolingType poolingType) {
      super(poolingType);
    }

    @Override
    @SuppressWarnings("unchecked")
    public SingleForwardPooling build() {
      ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
      ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
      if (poolingType == org.deeplearning4j.nn.conf.layers.PoolingType.PNORM && pnorm <= 0) {
        throw new IllegalStateException("p-norm pooling needs pnorm > 0, got " + pnorm);
      }
      return new SingleForwardPooling(this);
    }
  }

  /** The runtime layer: its forward pass goes to the helper first. */
  static final class Runtime extends org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer
      implements OneDnnLayouts.Layer {
    Runtime(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
      SubsamplingHelper h = helper;
      if (h != null && helperCountFail == 0 && input != null && input.rank() == 4) {
        SubsamplingLayer c = layerConf();
        INDArray out = h.activate(input.castTo(dataType), training, c.getKernelSize(), c.getStride(),
            c.getPadding(), c.getPoolingType(), convolutionMode, c.getDilation(),
            c.getCnn2dDataFormat(), workspaceMgr);
        if (out != null) {
          return out;
        }
      }
      return super.activate(training, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
      int failures = helperCountFail;
      Pair<Gradient, INDArray> result = super.backpropGradient(epsilon, workspaceMgr);
      if (helperCountFail != failures && OneDnnConvolution.inOneDnnLayout(input)) {
        // DL4J fell back to its own code, which cannot read an input in a oneDNN layout
        throw new IllegalStateException("pooling layer '" + layerConf().getLayerName()
            + "': the oneDNN max pooling failed on an input in a oneDNN layout (see the warning logged"
            + " above); run with -D" + OneDnn.PROPERTY + "=false to train without oneDNN layouts");
      }
      return result;
    }

    @Override
    public boolean readsOneDnnLayouts() {
      SubsamplingLayer c = layerConf();
      return helper instanceof OneDnnLayouts.Layer l && l.readsOneDnnLayouts() && dataType == DataType.FLOAT
          && c.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX
          && c.getCnn2dDataFormat() == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW && c.getIDropout() == null;
    }

    @Override
    public void oneDnnOutput(boolean allowed) {
      if (helper instanceof OneDnnLayouts.Layer l) {
        l.oneDnnOutput(allowed);
      }
    }
  }
}
