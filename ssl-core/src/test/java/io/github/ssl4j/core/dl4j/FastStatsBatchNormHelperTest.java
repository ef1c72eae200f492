package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The faster batch statistics agree with DL4J's stock oneDNN helper. */
class FastStatsBatchNormHelperTest {

  @Test
  void statisticsEqualTheExactReductions() {
    Nd4j.getRandom().setSeed(3);
    // ordinary activations, and a channel layout where the one-pass formula would cancel badly
    for (double offset : new double[] {0.0, 5.0, 1e4}) {
      INDArray x = Nd4j.randn(DataType.FLOAT, 16, 6, 9, 7).muli(0.5).addi(offset);
      INDArray mean = Nd4j.create(DataType.FLOAT, 6);
      INDArray var = Nd4j.create(DataType.FLOAT, 6);
      FastStatsBatchNormHelper.batchStatistics(x, CNN2DFormat.NCHW, mean, var);
      INDArray xd = x.castTo(DataType.DOUBLE);
      INDArray exactMean = xd.mean(0, 2, 3);
      INDArray exactVar = Nd4j.getExecutioner().exec(new Variance(xd, false, 0, 2, 3));
      double meanErr = mean.castTo(DataType.DOUBLE).sub(exactMean).amaxNumber().doubleValue();
      double varErr = var.castTo(DataType.DOUBLE).sub(exactVar).div(exactVar).amaxNumber().doubleValue();
      assertTrue(meanErr <= 1e-5 * Math.max(1, offset), "offset " + offset + ": mean error " + meanErr);
      assertTrue(varErr < 1e-4, "offset " + offset + ": relative variance error " + varErr);
    }
  }

  @Test
  void backwardEqualsANaiveDoubleLoop() {
    Nd4j.getRandom().setSeed(8);
    int n = 5;
    int c = 3;
    int h = 4;
    int w = 6;
    double eps = 1e-5;
    INDArray x = Nd4j.randn(DataType.FLOAT, n, c, h, w).muli(1.5).addi(0.7);
    INDArray dy = Nd4j.randn(DataType.FLOAT, n, c, h, w);
    INDArray gamma = Nd4j.createFromArray(0.5f, -1.2f, 2.0f);
    INDArray mean = Nd4j.create(DataType.FLOAT, c);
    INDArray var = Nd4j.create(DataType.FLOAT, c);
    assertTrue(FastStatsBatchNormHelper.batchStatistics(x, CNN2DFormat.NCHW, mean, var));
    INDArray dGamma = Nd4j.create(DataType.FLOAT, 1, c);
    INDArray dBeta = Nd4j.create(DataType.FLOAT, 1, c);
    INDArray dx = Nd4j.create(DataType.FLOAT, n, c, h, w);
    FastStatsBatchNormHelper.backward(x, dy, mean, var, gamma, eps, dGamma, dBeta, dx);

    double count = n * h * w;
    for (int ch = 0; ch < c; ch++) {
      double mu = 0;
      for (int i = 0; i < n; i++) {
        for (int r = 0; r < h; r++) {
          for (int q = 0; q < w; q++) {
            mu += x.getDouble(i, ch, r, q) / count;
          }
        }
      }
      double v = 0;
      for (int i = 0; i < n; i++) {
        for (int r = 0; r < h; r++) {
          for (int q = 0; q < w; q++) {
            v += Math.pow(x.getDouble(i, ch, r, q) - mu, 2) / count;
          }
        }
      }
      double sigma = Math.sqrt(v + eps);
      double db = 0;
      double dg = 0;
      for (int i = 0; i < n; i++) {
        for (int r = 0; r < h; r++) {
          for (int q = 0; q < w; q++) {
            db += dy.getDouble(i, ch, r, q);
            dg += dy.getDouble(i, ch, r, q) * (x.getDouble(i, ch, r, q) - mu) / sigma;
          }
        }
      }
      assertEquals(db, dBeta.getDouble(0, ch), 1e-4, "dBeta " + ch);
      assertEquals(dg, dGamma.getDouble(0, ch), 1e-4, "dGamma " + ch);
      double g = gamma.getDouble(ch);
      for (int i = 0; i < n; i++) {
        for (int r = 0; r < h; r++) {
          for (int q = 0; q < w; q++) {
            double xhat = (x.getDouble(i, ch, r, q) - mu) / sigma;
            double expected = g / sigma * (dy.getDouble(i, ch, r, q) - db / count - xhat * dg / count);
            assertEquals(expected, dx.getDouble(i, ch, r, q), 1e-5 * Math.max(1, Math.abs(expected)),
                "dx at " + i + "," + ch + "," + r + "," + q);
          }
        }
      }
    }
  }

  @Test
  void installReplacesTheStockHelperAndTrainingMatchesIt() {
    ComputationGraph stock = graph();
    ComputationGraph fast = graph();
    assertInstanceOf(MKLDNNBatchNormHelper.class, stock.getLayer("bn").getHelper(),
        "the test class path has oneDNN: DL4J's helper expected");
    assertEquals(1, LayerHelpers.install(fast));
    // with oneDNN's natives, ssl4j's oneDNN helper, which hands plain (NCHW) input to this one
    assertInstanceOf(OneDnnBatchNormHelper.class, fast.getLayer("bn").getHelper());
    assertEquals(0, LayerHelpers.install(fast), "second install changes nothing");
    fast.setParams(stock.params().dup());

    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.rand(DataType.FLOAT, 8, 2, 10, 10).muli(4).subi(1);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
    for (int i = 0; i < 8; i++) {
      y.putScalar(i, i % 3, 1f);
    }
    for (int step = 0; step < 5; step++) {
      stock.fit(new INDArray[] {x}, new INDArray[] {y});
      fast.fit(new INDArray[] {x}, new INDArray[] {y});
    }
    // parameters, including the running mean/variance the layer keeps from the batch statistics
    INDArray a = stock.params();
    INDArray b = fast.params();
    double diff = a.sub(b).amaxNumber().doubleValue();
    assertTrue(diff < 1e-4 * Math.max(1, a.amaxNumber().doubleValue()), "parameters differ by " + diff);
    assertTrue(a.sub(graph().params()).amaxNumber().doubleValue() > 1e-3, "training must have moved them");
    INDArray outA = stock.outputSingle(false, x);
    INDArray outB = fast.outputSingle(false, x);
    assertTrue(outA.sub(outB).amaxNumber().doubleValue() < 1e-4, "inference outputs differ");
  }

  private static ComputationGraph graph() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(5).dataType(DataType.FLOAT).updater(new Sgd(0.1)) // not Adam: it turns the ~0 gradient of the conv bias before BN into +-lr steps
        .graphBuilder()
        .addInputs("in")
        .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build(), "in")
        .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
        .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX).nOut(3).build(), "gap")
        .setOutputs("out")
        .setInputTypes(InputType.convolutional(10, 10, 2))
        .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    LayerHelpers.installStock(g); // DL4J's own oneDNN helpers, as DL4J would install them
    return g;
  }
}
