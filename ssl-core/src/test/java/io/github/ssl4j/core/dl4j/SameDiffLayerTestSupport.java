package io.github.ssl4j.core.dl4j;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** y = xW + b written as a SameDiff layer, stock and corrected, and a graph around it. */
final class SameDiffLayerTestSupport {
  private SameDiffLayerTestSupport() {}

  static SDVariable dense(SDVariable x, Map<String, SDVariable> p) {
    return x.mmul(p.get("W")).add(p.get("b"));
  }

  static void init(Map<String, INDArray> params) {
    INDArray w = params.get("W");
    for (int i = 0; i < w.length(); i++) {
      w.putScalar(i, 0.3 * Math.sin(1.7 * i + 0.5));
    }
    params.get("b").assign(0.1);
  }

  /** Stock DL4J SameDiffLayer. */
  public static final class StockDense extends SameDiffLayer {
    private long nIn;
    private long nOut;

    StockDense() {}

    StockDense(long nIn, long nOut) {
      this.nIn = nIn;
      this.nOut = nOut;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
      return dense(x, p);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
      params.addWeightParam("W", nIn, nOut);
      params.addBiasParam("b", 1, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
      init(params);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
      return InputType.feedForward(nOut);
    }
  }

  /** The same layer on {@link CorrectedSameDiffLayer}. */
  public static final class CorrectedDense extends CorrectedSameDiffLayer {
    private long nIn;
    private long nOut;

    CorrectedDense() {}

    CorrectedDense(long nIn, long nOut) {
      this.nIn = nIn;
      this.nOut = nOut;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
      return dense(x, p);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
      params.addWeightParam("W", nIn, nOut);
      params.addBiasParam("b", 1, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
      init(params);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
      return InputType.feedForward(nOut);
    }
  }

  /** in(3) → DL4J dense tanh(3) "pre" → SameDiff dense(2) "sd" → identity MSE output(2) "out". */
  static ComputationGraphConfiguration conf(Layer sdLayer) {
    return new NeuralNetConfiguration.Builder()
        .seed(42).dataType(DataType.DOUBLE).updater(new NoOp())
        .graphBuilder()
        .addInputs("in")
        .addLayer("pre", new DenseLayer.Builder().nOut(3).activation(Activation.TANH).build(), "in")
        .addLayer("sd", sdLayer, "pre")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
            .activation(Activation.IDENTITY).build(), "sd")
        .setOutputs("out")
        .setInputTypes(InputType.feedForward(3))
        .build();
  }

  static ComputationGraph graph(ComputationGraphConfiguration conf) {
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  /**
   * Per parameter: analytic gradient / central-difference gradient of the score.
   *
   * @return map "layer_param" to the median ratio over its entries with non-negligible gradient
   */
  static Map<String, Double> gradientRatios(ComputationGraph g, INDArray x, INDArray y) {
    g.setInputs(x);
    g.setLabels(y);
    g.computeGradientAndScore();
    Map<String, INDArray> analytic = new java.util.LinkedHashMap<>();
    g.gradient().gradientForVariable().forEach((k, v) -> analytic.put(k, v.dup()));
    Map<String, Double> ratios = new java.util.LinkedHashMap<>();
    DataSet ds = new DataSet(x, y);
    double eps = 1e-6;
    for (Map.Entry<String, INDArray> e : g.paramTable().entrySet()) {
      INDArray p = e.getValue();
      INDArray a = analytic.get(e.getKey());
      java.util.List<Double> r = new java.util.ArrayList<>();
      for (int i = 0; i < p.length(); i++) {
        double orig = p.getDouble(i);
        p.putScalar(i, orig + eps);
        double plus = g.score(ds, true);
        p.putScalar(i, orig - eps);
        double minus = g.score(ds, true);
        p.putScalar(i, orig);
        double num = (plus - minus) / (2 * eps);
        if (Math.abs(num) > 1e-5) {
          // gradient() is of the summed score, score() is the minibatch mean
          r.add(a.getDouble(i) / x.size(0) / num);
        }
      }
      java.util.Collections.sort(r);
      ratios.put(e.getKey(), r.isEmpty() ? Double.NaN : r.get(r.size() / 2));
    }
    return ratios;
  }
}
