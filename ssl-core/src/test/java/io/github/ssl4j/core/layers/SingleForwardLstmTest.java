package io.github.ssl4j.core.layers;

import static io.github.ssl4j.core.testing.ArrayAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.common.primitives.Pair;

/**
 * The LSTM that runs its recurrence once per training step with products batched over time: DL4J's
 * numbers up to float summation order, checked against finite differences.
 */
class SingleForwardLstmTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void gradientsAndTrainingEqualDl4jsLstmWithOneForwardPerStep(DataType type) {
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
    ComputationGraph stock = graph(false, type);
    ComputationGraph single = graph(true, type);
    assertInstanceOf(SingleForwardLstm.Runtime.class, single.getLayer("lstm"));
    single.setParams(stock.params().dup());
    AtomicInteger stockForwards = countActivations(stock);
    AtomicInteger singleForwards = countActivations(single);

    INDArray[] b = batch(type, 7);
    for (ComputationGraph g : new ComputationGraph[] {stock, single}) {
      g.setInputs(b[0]);
      g.setLabels(b[1]);
      g.computeGradientAndScore();
    }
    assertEquals(stock.score(), single.score(), tolerance * Math.abs(stock.score()));
    assertClose(stock.gradient().gradient(), single.gradient().gradient(), tolerance);
    assertNotEquals(0, singleForwards.get());
    assertEquals(stockForwards.get(), 2 * singleForwards.get(),
        "DL4J's LSTM runs the recurrence twice per gradient, this layer once");

    for (int step = 0; step < 3; step++) {
      INDArray[] s = batch(type, 20 + step);
      stock.fit(new INDArray[] {s[0]}, new INDArray[] {s[1]});
      single.fit(new INDArray[] {s[0]}, new INDArray[] {s[1]});
    }
    assertClose(stock.params(), single.params(), tolerance);
    INDArray[] test = batch(type, 99);
    assertEquals(stock.outputSingle(test[0]), single.outputSingle(test[0]), "inference is DL4J's path");
  }

  @Test
  void floatTimeStepsAsJavaLoopsEqualDl4jsLstm() {
    ComputationGraph stock = graph(false, DataType.FLOAT);
    ComputationGraph single = graph(true, DataType.FLOAT);
    single.setParams(stock.params().dup());
    INDArray[] b = batch(DataType.FLOAT, 7);
    for (ComputationGraph g : new ComputationGraph[] {stock, single}) {
      g.setInputs(b[0]);
      g.setLabels(b[1]);
      g.computeGradientAndScore();
    }
    assertTrue(((SingleForwardLstm.Runtime) single.getLayer("lstm")).lastOnLoops, "tanh/sigmoid float: loops");
    assertEquals(stock.score(), single.score(), 1e-5 * Math.abs(stock.score()));
    assertClose(stock.gradient().gradient(), single.gradient().gradient(), 1e-5);
    for (int step = 0; step < 3; step++) {
      INDArray[] s = batch(DataType.FLOAT, 20 + step);
      stock.fit(new INDArray[] {s[0]}, new INDArray[] {s[1]});
      single.fit(new INDArray[] {s[0]}, new INDArray[] {s[1]});
    }
    assertClose(stock.params(), single.params(), 1e-5);
  }

  @Test
  void loopActivationsAreTanhAndSigmoidToFloatRounding() {
    for (double x = -30; x <= 30; x += 0.00731) {
      float f = (float) x;
      assertEquals((float) Math.tanh(f), LstmCellLoops.tanh(f), 2 * Math.ulp((float) Math.tanh(f)), "tanh " + f);
      float sig = (float) (1 / (1 + Math.exp(-f)));
      assertEquals(sig, LstmCellLoops.sigmoid(f), Math.ulp(sig), "sigmoid " + f);
    }
    for (float tiny : new float[] {0f, -0f, 1e-30f, -3e-7f, 5e-5f}) {
      assertEquals(tiny, LstmCellLoops.tanh(tiny), Math.ulp(tiny));
    }
  }

  @Test
  void subnormalActivationsAreStoredAsZero() {
    assertEquals(0f, LstmCellLoops.sigmoid(-95f), "e^-95 is subnormal in float");
    assertEquals(0f, LstmCellLoops.sigmoid(-88f), "e^-88 is subnormal in float");
    assertTrue(LstmCellLoops.sigmoid(-87f) >= Float.MIN_NORMAL);
    assertEquals(0f, LstmCellLoops.tanh(1e-40f));
    assertEquals(0f, LstmCellLoops.normal(Float.MIN_NORMAL / 2));
    assertEquals(-Float.MIN_NORMAL, LstmCellLoops.normal(-Float.MIN_NORMAL));

    // output gates at -88: DL4J's LSTM outputs subnormal values, the loops zeros
    ComputationGraph stock = graph(false, DataType.FLOAT);
    ComputationGraph single = graph(true, DataType.FLOAT);
    Layer lstm = stock.getLayer("lstm"); // gate columns i, f, o, g
    for (String key : new String[] {LSTMParamInitializer.INPUT_WEIGHT_KEY, LSTMParamInitializer.RECURRENT_WEIGHT_KEY}) {
      lstm.getParam(key).get(NDArrayIndex.all(), NDArrayIndex.interval(12, 18)).assign(0);
    }
    INDArray bias = lstm.getParam(LSTMParamInitializer.BIAS_KEY);
    bias.reshape(bias.length()).get(NDArrayIndex.interval(12, 18)).assign(-88);
    single.setParams(stock.params().dup());
    assertEquals(-88f, single.getLayer("lstm").getParam(LSTMParamInitializer.BIAS_KEY).getFloat(13), 0f);
    INDArray[] b = batch(DataType.FLOAT, 5);
    INDArray expected = stock.feedForward(new INDArray[] {b[0]}, true, false).get("lstm");
    INDArray actual = single.feedForward(new INDArray[] {b[0]}, true, false).get("lstm");
    assertTrue(subnormals(expected) > 0, "the case must produce subnormal outputs");
    assertEquals(0, subnormals(actual));
    assertTrue(expected.equalsWithEps(actual, 1e-37));
    single.setInputs(b[0]);
    single.setLabels(b[1]);
    single.computeGradientAndScore();
    assertTrue(((SingleForwardLstm.Runtime) single.getLayer("lstm")).lastOnLoops);
    assertEquals(0, subnormals(single.getLayer("lstm").getGradientsViewArray()));
  }

  private static int subnormals(INDArray a) {
    int count = 0;
    for (float v : a.dup().data().asFloat()) {
      count += v != 0 && Math.abs(v) < Float.MIN_NORMAL ? 1 : 0;
    }
    return count;
  }

  @Test
  void passesGradientCheck() {
    DataType oldDefault = Nd4j.dataType();
    DataType oldFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      ComputationGraph g = graph(true, DataType.DOUBLE, new NoOp());
      g.getLayer("lstm").getParam(LSTMParamInitializer.BIAS_KEY)
          .assign(Nd4j.rand(DataType.DOUBLE, 1, 24).subi(0.5));
      INDArray[] b = batch(DataType.DOUBLE, 3);
      assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
          .inputs(new INDArray[] {b[0]}).labels(new INDArray[] {b[1]})));
    } finally {
      Nd4j.setDefaultDataTypes(oldDefault, oldFloat);
    }
  }

  @Test
  void aForwardPassOnAnotherInputIsNotReused() {
    ComputationGraph stock = graph(false, DataType.DOUBLE);
    ComputationGraph single = graph(true, DataType.DOUBLE);
    single.setParams(stock.params().dup());
    stock.initGradientsView();
    single.initGradientsView();
    INDArray[] a = batch(DataType.DOUBLE, 1);
    INDArray[] b = batch(DataType.DOUBLE, 2);
    LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
    Layer stockLstm = stock.getLayer("lstm");
    Layer singleLstm = single.getLayer("lstm");
    singleLstm.setInput(a[0], none);
    singleLstm.activate(true, none); // kept for a
    singleLstm.setInput(b[0], none);
    stockLstm.setInput(b[0], none);
    INDArray epsilon = Nd4j.rand(DataType.DOUBLE, 4, 6, 5);
    Pair<?, INDArray> expected = stockLstm.backpropGradient(epsilon, none);
    Pair<?, INDArray> actual = singleLstm.backpropGradient(epsilon, none);
    assertClose(expected.getSecond(), actual.getSecond(), 1e-12);
    assertClose(stockLstm.getGradientsViewArray(), singleLstm.getGradientsViewArray(), 1e-12);
  }

  @Test
  void survivesJsonWithDl4jsConfiguration() {
    ComputationGraphConfiguration conf = graph(true, DataType.FLOAT).getConfiguration();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
    assertEquals(conf, back);
    ComputationGraph restored = new ComputationGraph(back);
    restored.init();
    assertInstanceOf(SingleForwardLstm.Runtime.class, restored.getLayer("lstm"));
    LSTM layer = (LSTM) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("lstm"))
        .getLayerConf().getLayer();
    LSTM stockLayer = (LSTM) ((org.deeplearning4j.nn.conf.graph.LayerVertex) graph(false, DataType.FLOAT)
        .getConfiguration().getVertices().get("lstm")).getLayerConf().getLayer();
    assertEquals(stockLayer.getNOut(), layer.getNOut());
    assertEquals(stockLayer.getGateActivationFn(), layer.getGateActivationFn());
    assertEquals(stockLayer.getForgetGateBiasInit(), layer.getForgetGateBiasInit());
    assertNotEquals(stockLayer, layer);
  }

  private static ComputationGraph graph(boolean single, DataType type) {
    return graph(single, type, new Adam(1e-2));
  }

  private static ComputationGraph graph(boolean single, DataType type, IUpdater updater) {
    LSTM.Builder lstm = single ? new SingleForwardLstm.Builder() : new LSTM.Builder();
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(11)
        .dataType(type)
        .updater(updater)
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.recurrent(3))
        .addLayer("lstm", lstm.nOut(6).activation(Activation.TANH).forgetGateBiasInit(0.7)
            .gateActivationFunction(Activation.SIGMOID).build(), "in")
        .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .nOut(2).activation(Activation.IDENTITY).build(), "lstm")
        .setOutputs("out")
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  /** Counts forward applications of the LSTM's (tanh) activation, a fixed number per time step. */
  private static AtomicInteger countActivations(ComputationGraph g) {
    AtomicInteger count = new AtomicInteger();
    LSTM conf = (LSTM) g.getLayer("lstm").conf().getLayer();
    org.nd4j.linalg.activations.IActivation real = conf.getActivationFn();
    conf.setActivationFn(new BaseActivationFunction() {
      @Override
      public INDArray getActivation(INDArray in, boolean training) {
        count.incrementAndGet();
        return real.getActivation(in, training);
      }

      @Override
      public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        return real.backprop(in, epsilon);
      }
    });
    return count;
  }

  private static INDArray[] batch(DataType type, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return new INDArray[] {Nd4j.rand(type, 4, 3, 5).subi(0.5), Nd4j.rand(type, 4, 2, 5)};
  }
}
