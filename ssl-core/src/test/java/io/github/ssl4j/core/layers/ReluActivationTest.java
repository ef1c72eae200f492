package io.github.ssl4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The vectorised ReLU gives ND4J's ReLU values, forward and backward, bit for bit. */
class ReluActivationTest {

  @Test
  void forwardAndBackwardEqualNd4jsRelu() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Nd4j.getRandom().setSeed(4);
      INDArray x = Nd4j.randn(type, 6, 3, 5, 7);
      x.putScalar(0, 0, 0, 0, 0.0); // the kink: derivative 0, as ND4J
      x.putScalar(1, 2, 3, 4, -0.0);
      INDArray eps = Nd4j.randn(type, 6, 3, 5, 7);

      INDArray expectedOut = new ActivationReLU().getActivation(x.dup(), true);
      INDArray expectedGrad = new ActivationReLU().backprop(x.dup(), eps.dup()).getFirst();
      assertEquals(expectedOut, new ReluActivation().getActivation(x.dup(), true), type.name());
      INDArray in = x.dup();
      INDArray epsCopy = eps.dup();
      INDArray grad = new ReluActivation().backprop(in, epsCopy).getFirst();
      assertEquals(expectedGrad, grad, type.name());
      assertEquals(eps, epsCopy, "the incoming gradient is left alone");
      assertEquals(0.0, Math.abs(grad.getDouble(0, 0, 0, 0)), "no gradient through the kink");
    }
  }

  @Test
  void survivesJsonInALayerConfiguration() {
    NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder()
        .layer(new ActivationLayer.Builder().activation(new ReluActivation()).build())
        .build();
    NeuralNetConfiguration back = NeuralNetConfiguration.fromJson(conf.toJson());
    assertInstanceOf(ReluActivation.class,
        ((ActivationLayer) back.getLayer()).getActivationFn());
    assertEquals(conf, back);
  }
}
