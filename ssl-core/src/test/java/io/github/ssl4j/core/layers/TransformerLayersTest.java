package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import io.github.ssl4j.core.dl4j.DoublePrecision;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Gradient checks (double precision, with padding masks) and closed-form checks of the transformer
 * layers: {@link MultiHeadSelfAttention}, {@link PositionEmbedding}, {@link PositionwiseFeedForward};
 * and the native passes of attention, feed-forward and {@link LayerNormalization} against their
 * SameDiff definitions (forward, parameter gradients, and the input gradient through the layer
 * below).
 */
@ExtendWith(DoublePrecision.class)
class TransformerLayersTest {
  private static ComputationGraph graph(Layer layer, int d) {
    return graph(layer, d, DataType.DOUBLE);
  }

  private static ComputationGraph graph(Layer layer, int d, DataType type) {
    return graph(layer, d, type, false);
  }

  /** in → [LayerNormalization "pre" →] layer → tanh output ("pre" receives the layer's input gradient). */
  private static ComputationGraph graph(Layer layer, int d, DataType type, boolean pre) {
    ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
        .seed(3).dataType(type).updater(new NoOp())
        .graphBuilder()
        .addInputs("in");
    if (pre) {
      b.addLayer("pre", new LayerNormalization(d), "in");
    }
    ComputationGraph g = new ComputationGraph(b
        .addLayer("layer", layer, pre ? "pre" : "in")
        .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
            .activation(Activation.TANH).dataFormat(RNNFormat.NCW).build(), "layer")
        .setOutputs("out")
        .setInputTypes(InputType.recurrent(d, 4))
        .build());
    g.init();
    return g;
  }

  private static INDArray paddingMask() {
    return Nd4j.create(new double[][] {{1, 1, 1, 1}, {1, 1, 0, 0}, {1, 0, 0, 0}});
  }

  private static boolean check(ComputationGraph g, int d) {
    Nd4j.getRandom().setSeed(7);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 3, d, 4).subi(0.5);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 3, 4).subi(0.5);
    INDArray mask = paddingMask();
    return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
        .inputs(new INDArray[] {x}).labels(new INDArray[] {y})
        .inputMask(new INDArray[] {mask}).labelMask(new INDArray[] {mask}));
  }

  private static void randomise(ComputationGraph g) {
    for (INDArray p : g.getLayer("layer").paramTable().values()) {
      p.assign(Nd4j.rand(DataType.DOUBLE, p.shape()).subi(0.5));
    }
  }

  @Test
  void attentionPassesGradientCheckWithPaddingMask() {
    ComputationGraph g = graph(new MultiHeadSelfAttention(6, 2), 6);
    randomise(g); // non-zero biases
    assertTrue(check(g, 6));
  }

  @Test
  void positionEmbeddingPassesGradientCheck() {
    ComputationGraph g = graph(new PositionEmbedding(5, 7), 5);
    assertTrue(check(g, 5));
  }

  @Test
  void feedForwardPassesGradientCheck() {
    ComputationGraph g = graph(new PositionwiseFeedForward(4, 6), 4);
    randomise(g);
    assertTrue(check(g, 4));
  }

  @Test
  void attentionMatchesNaiveLoopAndIgnoresPaddedKeys() {
    int d = 6;
    int heads = 2;
    ComputationGraph g = graph(new MultiHeadSelfAttention(d, heads), d);
    randomise(g);
    Map<String, INDArray> p = g.getLayer("layer").paramTable();
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 3, d, 4).subi(0.5);
    INDArray mask = paddingMask();
    org.deeplearning4j.nn.api.Layer layer = g.getLayer("layer");
    layer.setMaskArray(mask);
    INDArray y = layer.activate(x, false, LayerWorkspaceMgr.noWorkspaces());
    INDArray expected = naiveAttention(x, mask, p, heads);
    for (int b = 0; b < 3; b++) {
      for (int t = 0; t < 4; t++) {
        if (mask.getDouble(b, t) == 0) {
          continue; // outputs at padded positions are unspecified
        }
        for (int c = 0; c < d; c++) {
          assertEquals(expected.getDouble(b, c, t), y.getDouble(b, c, t), 1e-10, "b=" + b + " c=" + c + " t=" + t);
        }
      }
    }
    // changing what sits at padded positions changes nothing at real positions
    INDArray x2 = x.dup();
    x2.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(2, 4)).assign(9);
    INDArray y2 = layer.activate(x2, false, LayerWorkspaceMgr.noWorkspaces());
    assertEquals(0, y.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(0, 2))
        .sub(y2.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(0, 2)))
        .amaxNumber().doubleValue(), 1e-12);
  }

  /** Reference: per example, per head, per query, loops over keys. */
  private static INDArray naiveAttention(INDArray x, INDArray mask, Map<String, INDArray> p, int heads) {
    int n = (int) x.size(0);
    int d = (int) x.size(1);
    int len = (int) x.size(2);
    int dh = d / heads;
    INDArray wqkv = p.get(MultiHeadSelfAttention.QKV_WEIGHTS);
    INDArray bqkv = p.get(MultiHeadSelfAttention.QKV_BIAS);
    INDArray wo = p.get(MultiHeadSelfAttention.OUT_WEIGHTS);
    INDArray bo = p.get(MultiHeadSelfAttention.OUT_BIAS);
    INDArray out = Nd4j.zeros(DataType.DOUBLE, n, d, len);
    for (int b = 0; b < n; b++) {
      double[][] proj = new double[len][3 * d];
      for (int t = 0; t < len; t++) {
        for (int j = 0; j < 3 * d; j++) {
          double s = bqkv.getDouble(0, j);
          for (int c = 0; c < d; c++) {
            s += x.getDouble(b, c, t) * wqkv.getDouble(c, j);
          }
          proj[t][j] = s;
        }
      }
      for (int t = 0; t < len; t++) {
        double[] ctx = new double[d];
        for (int h = 0; h < heads; h++) {
          double[] w = new double[len];
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < len; k++) {
            if (mask.getDouble(b, k) == 0) {
              w[k] = Double.NEGATIVE_INFINITY;
              continue;
            }
            double s = 0;
            for (int e = 0; e < dh; e++) {
              s += proj[t][h * dh + e] * proj[k][d + h * dh + e];
            }
            w[k] = s / Math.sqrt(dh);
            max = Math.max(max, w[k]);
          }
          double z = 0;
          for (int k = 0; k < len; k++) {
            w[k] = Math.exp(w[k] - max);
            z += w[k];
          }
          for (int k = 0; k < len; k++) {
            for (int e = 0; e < dh; e++) {
              ctx[h * dh + e] += w[k] / z * proj[k][2 * d + h * dh + e];
            }
          }
        }
        for (int c = 0; c < d; c++) {
          double s = bo.getDouble(0, c);
          for (int j = 0; j < d; j++) {
            s += ctx[j] * wo.getDouble(j, c);
          }
          out.putScalar(new long[] {b, c, t}, s);
        }
      }
    }
    return out;
  }

  @Test
  void positionEmbeddingAddsTheFirstColumnsForShorterSequences() {
    ComputationGraph g = graph(new PositionEmbedding(3, 6), 3);
    INDArray table = g.getLayer("layer").paramTable().get(PositionEmbedding.WEIGHTS);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
    INDArray y = g.getLayer("layer").activate(x, false, LayerWorkspaceMgr.noWorkspaces());
    INDArray expected = x.add(table.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4)).reshape(1, 3, 4));
    assertEquals(0, y.sub(expected).amaxNumber().doubleValue(), 1e-12);
    INDArray tooLong = Nd4j.rand(DataType.DOUBLE, 2, 3, 7);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.getLayer("layer").activate(tooLong, false, LayerWorkspaceMgr.noWorkspaces()));
    assertTrue(e.getMessage().contains("maxLength 6"), e.getMessage());
  }

  /** The SameDiff definition of the layer, run by DL4J's SameDiff machinery (the reference). */
  static final class SameDiffFeedForward extends PositionwiseFeedForward {
    SameDiffFeedForward(long size, long hidden) {
      super(size, hidden);
    }

    @Override
    protected HalvedGradientLayer newRuntimeLayer(NeuralNetConfiguration conf, DataType dataType) {
      return new HalvedGradientLayer(conf, dataType);
    }
  }

  /** The SameDiff definition of the attention layer, run by DL4J's SameDiff machinery. */
  static final class SameDiffAttention extends MultiHeadSelfAttention {
    SameDiffAttention(long size, int heads) {
      super(size, heads);
    }

    @Override
    protected HalvedGradientLayer newRuntimeLayer(NeuralNetConfiguration conf, DataType dataType) {
      return new HalvedGradientLayer(conf, dataType);
    }
  }

  /** The SameDiff definition of LayerNormalization, run by DL4J's SameDiff machinery. */
  static final class SameDiffLayerNormalization extends LayerNormalization {
    SameDiffLayerNormalization(long size) {
      super(size);
    }

    @Override
    protected HalvedGradientLayer newRuntimeLayer(NeuralNetConfiguration conf, DataType dataType) {
      return new HalvedGradientLayer(conf, dataType);
    }
  }

  @Test
  void layerNormalizationNativePassEqualsItsSameDiffDefinition() {
    nativePassEqualsSameDiff(new LayerNormalization(6), new SameDiffLayerNormalization(6),
        LayerNormalization.Runtime.class, 6);
  }

  @Test
  void feedForwardNativePassEqualsItsSameDiffDefinition() {
    nativePassEqualsSameDiff(new PositionwiseFeedForward(5, 7), new SameDiffFeedForward(5, 7),
        PositionwiseFeedForward.Runtime.class, 5);
  }

  @Test
  void attentionNativePassEqualsItsSameDiffDefinition() {
    nativePassEqualsSameDiff(new MultiHeadSelfAttention(6, 3), new SameDiffAttention(6, 3),
        MultiHeadSelfAttention.Runtime.class, 6);
  }

  private static void nativePassEqualsSameDiff(Layer nativeLayer, Layer sameDiffLayer,
      Class<?> nativeRuntime, int d) {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
      ComputationGraph nat = graph(nativeLayer.clone(), d, type, true);
      ComputationGraph ref = graph(sameDiffLayer.clone(), d, type, true);
      assertTrue(nativeRuntime.isInstance(nat.getLayer("layer")));
      assertFalse(nativeRuntime.isInstance(ref.getLayer("layer")));
      randomise(nat);
      nat.getLayer("pre").paramTable().get("gain").assign(Nd4j.rand(type, 1, d).addi(0.5));
      ref.setParams(nat.params());
      for (int steps : new int[] {4, 6}) {
        Nd4j.getRandom().setSeed(steps);
        INDArray x = Nd4j.rand(type, 3, d, steps).subi(0.5).muli(3);
        INDArray y = Nd4j.rand(type, 3, 3, steps).subi(0.5);
        INDArray mask = Nd4j.ones(type, 3, steps);
        mask.putScalar(1, steps - 1, 0.0);
        for (ComputationGraph g : new ComputationGraph[] {nat, ref}) {
          g.setLayerMaskArrays(new INDArray[] {mask}, new INDArray[] {mask});
          g.setInputs(x);
          g.setLabels(y);
          g.computeGradientAndScore();
        }
        assertEquals(ref.score(), nat.score(), tolerance * Math.abs(ref.score()));
        INDArray expected = ref.gradient().gradient();
        double error = nat.gradient().gradient().sub(expected).norm2Number().doubleValue()
            / expected.norm2Number().doubleValue();
        assertTrue(error < tolerance, type + " T=" + steps + ": relative gradient error " + error);
        INDArray outRef = ref.outputSingle(false, x);
        INDArray outNat = nat.outputSingle(false, x);
        assertTrue(outNat.sub(outRef).amaxNumber().doubleValue() < tolerance, type + " inference");
      }
    }
  }

  @Test
  void feedForwardMatchesClosedForm() {
    ComputationGraph g = graph(new PositionwiseFeedForward(2, 3), 2);
    randomise(g);
    Map<String, INDArray> p = g.getLayer("layer").paramTable();
    INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 2, 4).subi(0.5).muli(4);
    INDArray y = g.getLayer("layer").activate(x, false, LayerWorkspaceMgr.noWorkspaces());
    for (int t = 0; t < 4; t++) {
      INDArray row = x.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(t)).reshape(1, 2);
      INDArray h = row.mmul(p.get(PositionwiseFeedForward.W_IN)).addi(p.get(PositionwiseFeedForward.B_IN));
      for (int j = 0; j < h.length(); j++) {
        double v = h.getDouble(j);
        h.putScalar(j, 0.5 * v * (1 + erf(v / Math.sqrt(2)))); // exact GELU
      }
      INDArray out = h.mmul(p.get(PositionwiseFeedForward.W_OUT)).addi(p.get(PositionwiseFeedForward.B_OUT));
      for (int c = 0; c < 2; c++) {
        assertEquals(out.getDouble(c), y.getDouble(0, c, t), 2e-3); // tanh form within 1e-3 of exact
      }
    }
  }

  /** erf by Abramowitz-Stegun 7.1.26 (error below 1.5e-7). */
  private static double erf(double z) {
    double t = 1 / (1 + 0.3275911 * Math.abs(z));
    double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
        + 0.254829592) * t * Math.exp(-z * z);
    return Math.signum(z) * y;
  }

  @Test
  void rejectsHeadsNotDividingTheWidth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MultiHeadSelfAttention(10, 3));
    assertTrue(e.getMessage().contains("but was 3"), e.getMessage());
  }
}
