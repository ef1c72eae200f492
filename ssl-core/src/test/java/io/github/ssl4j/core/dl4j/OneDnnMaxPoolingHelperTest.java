package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import io.github.ssl4j.core.layers.SingleForwardPooling;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max pooling through oneDNN ({@link SingleForwardPooling} with {@link OneDnnMaxPoolingHelper}), whose
 * backward pass reuses the forward pass's maxima, equals DL4J's own max pooling.
 */
class OneDnnMaxPoolingHelperTest {

  @Test
  void outputAndGradientEqualDl4jsOwnPooling() {
    assertTrue(OneDnn.available(), "org.bytedeco:dnnl natives are on the test class path");
    // 2x2 stride 2 (the encoders', on an odd size), 3x3 stride 2 with same-mode padding, 3x3 stride
    // 1 and 2x2 stride 3, truncated
    int[][] cases = {{2, 2, 0}, {3, 2, 1}, {3, 1, 0}, {2, 3, 0}};
    for (int[] c : cases) {
      ConvolutionMode mode = c[2] == 1 ? ConvolutionMode.Same : ConvolutionMode.Truncate;
      ComputationGraph with = graph(c[0], c[1], mode);
      ComputationGraph without = reference(c[0], c[1], mode);
      assertEquals(1, LayerHelpers.install(with));
      assertInstanceOf(OneDnnMaxPoolingHelper.class, with.getLayer("pool").getHelper());

      Nd4j.getRandom().setSeed(11 + c[0]);
      INDArray x = Nd4j.rand(DataType.FLOAT, 3, 4, 9, 9); // continuous values: no ties among maxima
      INDArray y1 = forward(with, x);
      INDArray y2 = forward(without, x);
      assertEquals(y2, y1, "forward, kernel " + c[0] + " stride " + c[1] + " " + mode);
      INDArray eps = Nd4j.randn(DataType.FLOAT, y1.shape());
      INDArray g1 = backward(with, eps);
      INDArray g2 = backward(without, eps);
      assertEquals(g2, g1, "backward, kernel " + c[0] + " stride " + c[1] + " " + mode);
      assertEquals(2, ((OneDnnMaxPoolingHelper) with.getLayer("pool").getHelper()).oneDnnPasses(),
          "both passes ran on oneDNN");
    }
  }

  /**
   * The backward pass routes the gradient to the maxima found by the training forward pass on the
   * same input (its workspace) and does not run the forward pass again: after the forward pass the
   * input's values are changed in place so that the maxima move; the gradient still goes where
   * they were.
   */
  @Test
  void backwardUsesTheForwardPassesMaxima() {
    ComputationGraph with = graph(2, 2, ConvolutionMode.Truncate);
    assertEquals(1, LayerHelpers.install(with));
    assertInstanceOf(OneDnnMaxPoolingHelper.class, with.getLayer("pool").getHelper());
    ComputationGraph without = reference(2, 2, ConvolutionMode.Truncate);
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 9, 9);
    INDArray original = x.dup();
    forward(with, x);
    Layer pool = with.getLayer("pool");
    x.muli(-1); // every maximum becomes a minimum
    INDArray eps = Nd4j.rand(DataType.FLOAT, 2, 4, 4, 4);
    INDArray kept = pool.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond();

    forward(without, original);
    INDArray expected = without.getLayer("pool").backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond();
    assertEquals(expected, kept, "gradient at the forward pass's maxima");

    // a backward pass on an input whose forward pass the helper did not see computes the maxima
    INDArray other = Nd4j.rand(DataType.FLOAT, 2, 4, 9, 9);
    pool.setInput(other, LayerWorkspaceMgr.noWorkspaces());
    INDArray fresh = pool.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond();
    forward(without, other);
    assertEquals(without.getLayer("pool").backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond(), fresh);
    assertNotEquals(kept, fresh);
  }

  @Test
  void averagePoolingAndDoublePrecisionGoToTheFallback() {
    ComputationGraph avg = graph(2, 2, ConvolutionMode.Truncate, PoolingType.AVG, false);
    LayerHelpers.install(avg);
    ComputationGraph avgWithout = graph(2, 2, ConvolutionMode.Truncate, PoolingType.AVG, true);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 9, 9);
    assertEquals(forward(avgWithout, x), forward(avg, x));

    ComputationGraph max = graph(2, 2, ConvolutionMode.Truncate, PoolingType.MAX, false, DataType.DOUBLE);
    LayerHelpers.install(max);
    ComputationGraph maxWithout = graph(2, 2, ConvolutionMode.Truncate, PoolingType.MAX, true, DataType.DOUBLE);
    INDArray xd = Nd4j.rand(DataType.DOUBLE, 2, 4, 9, 9);
    INDArray y = forward(max, xd);
    assertEquals(DataType.DOUBLE, y.dataType());
    assertEquals(forward(maxWithout, xd), y);
    INDArray eps = Nd4j.rand(DataType.DOUBLE, y.shape());
    assertEquals(backward(maxWithout, eps), backward(max, eps));
  }

  private static INDArray forward(ComputationGraph g, INDArray x) {
    Layer pool = g.getLayer("pool");
    return pool.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
  }

  private static INDArray backward(ComputationGraph g, INDArray eps) {
    return g.getLayer("pool").backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond();
  }

  /** A graph of one {@link SingleForwardPooling} layer, "pool". */
  private static ComputationGraph graph(int kernel, int stride, ConvolutionMode mode) {
    return graph(kernel, stride, mode, PoolingType.MAX, false);
  }

  /** DL4J's own subsampling layer, without helper: the reference. */
  private static ComputationGraph reference(int kernel, int stride, ConvolutionMode mode) {
    return graph(kernel, stride, mode, PoolingType.MAX, true);
  }

  private static ComputationGraph graph(int kernel, int stride, ConvolutionMode mode, PoolingType type,
      boolean dl4jOwn) {
    return graph(kernel, stride, mode, type, dl4jOwn, DataType.FLOAT);
  }

  private static ComputationGraph graph(int kernel, int stride, ConvolutionMode mode, PoolingType type,
      boolean dl4jOwn, DataType dataType) {
    var conf = new NeuralNetConfiguration.Builder()
        .seed(1).dataType(dataType)
        .graphBuilder()
        .addInputs("in")
        .addLayer("pool", (dl4jOwn ? new SubsamplingLayer.Builder(type) : new SingleForwardPooling.Builder(type))
            .kernelSize(kernel, kernel).stride(stride, stride).convolutionMode(mode).build(), "in")
        .setOutputs("pool")
        .setInputTypes(InputType.convolutional(9, 9, 4))
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }
}
