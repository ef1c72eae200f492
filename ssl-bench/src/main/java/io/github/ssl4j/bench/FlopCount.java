package io.github.ssl4j.bench;

import io.github.ssl4j.core.layers.MultiHeadSelfAttention;
import io.github.ssl4j.core.layers.PositionwiseFeedForward;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;

/**
 * Multiply-add count of a graph's forward pass for one example (for sequence models: one time
 * step), from its configuration: convolution, transposed convolution, dense and LSTM layers only (the matrix work; normalisation, activations and pooling are a few percent
 * and left out, as the usual FLOP counts of these models do). One multiply-add is 2 FLOPs.
 */
public final class FlopCount {
  private FlopCount() {}

  /** Forward FLOPs per example of the graph fed with {@code inputTypes}. */
  public static double forwardPerExample(ComputationGraphConfiguration conf, List<InputType> inputTypes) {
    Map<String, InputType> out = conf.getLayerActivationTypes(inputTypes.toArray(new InputType[0]));
    double flops = 0;
    for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
      if (!(e.getValue() instanceof LayerVertex lv)) {
        continue;
      }
      Layer layer = lv.getLayerConf().getLayer();
      InputType o = out.get(e.getKey());
      if (layer instanceof Deconvolution2D c && o instanceof InputType.InputTypeConvolutional oc) {
        // a transposed convolution does its multiply-adds per input pixel
        long k = (long) c.getKernelSize()[0] * c.getKernelSize()[1];
        long inPixels = (oc.getHeight() / c.getStride()[0]) * (oc.getWidth() / c.getStride()[1]);
        flops += 2.0 * c.getNIn() * c.getNOut() * k * inPixels;
      } else if (layer instanceof ConvolutionLayer c && o instanceof InputType.InputTypeConvolutional oc) {
        long k = (long) c.getKernelSize()[0] * c.getKernelSize()[1];
        flops += 2.0 * c.getNIn() * c.getNOut() * k * oc.getHeight() * oc.getWidth();
      } else if (layer instanceof DenseLayer d) {
        flops += 2.0 * d.getNIn() * d.getNOut();
      } else if (layer instanceof LSTM l) {
        // per time step: four gates from input and previous output
        flops += 2.0 * 4 * (l.getNIn() + l.getNOut()) * l.getNOut();
      } else if (layer instanceof OutputLayer d) {
        flops += 2.0 * d.getNIn() * d.getNOut();
      } else if (layer instanceof RnnOutputLayer d && o instanceof InputType.InputTypeRecurrent r) {
        flops += 2.0 * d.getNIn() * d.getNOut() * r.getTimeSeriesLength();
      } else if (layer instanceof MultiHeadSelfAttention a && o instanceof InputType.InputTypeRecurrent r) {
        // projections (q, k, v, out) and the two T x T products per sequence
        double t = r.getTimeSeriesLength();
        flops += 2.0 * 4 * a.getSize() * a.getSize() * t + 4.0 * t * t * a.getSize();
      } else if (layer instanceof PositionwiseFeedForward f && o instanceof InputType.InputTypeRecurrent r) {
        flops += 4.0 * f.getSize() * f.getHidden() * r.getTimeSeriesLength();
      }
    }
    return flops;
  }
}
