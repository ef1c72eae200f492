package io.github.ssl4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.data.Minibatches;
import io.github.ssl4j.core.dl4j.JavaAdamUpdater;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class TrainingLoopTest {

  private static MultiLayerNetwork network() {
    return network(DataType.DOUBLE);
  }

  private static MultiLayerNetwork network(DataType type) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
        .dataType(type).updater(new Adam(0.1)).list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
            .activation(Activation.SOFTMAX).build())
        .build());
    net.init();
    return net;
  }

  private static INDArray features() {
    double[] v = new double[30];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(i) + (i >= 15 ? 0.5 : -0.5);
    }
    return Nd4j.create(v, new long[] {10, 3}, DataType.DOUBLE);
  }

  private static INDArray labels() {
    INDArray y = Nd4j.zeros(DataType.DOUBLE, 10, 2);
    for (int i = 0; i < 10; i++) {
      y.putScalar(i, i < 5 ? 0 : 1, 1.0);
    }
    return y;
  }

  private static INDArray train(INDArray x, long seed, List<Long> steps, List<Long> epochEnds) {
    MultiLayerNetwork net = network();
    Minibatches order = Minibatches.keepLast(10, 4, seed);
    TrainingLoop.State end = TrainingLoop.builder(TrainingLoop.Network.of(net),
            TrainingLoop.Batches.of(x, labels(), order, null), order.stepsPerEpoch(), 2 * order.stepsPerEpoch())
        .seed(seed)
        .paramCheckEverySteps(1)
        .listener(new TrainingLoop.Listener() {
          @Override
          public void onStep(TrainingLoop.State s) {
            steps.add(s.step());
            assertTrue(Double.isFinite(s.loss()));
          }

          @Override
          public void onEpochEnd(TrainingLoop.State s) {
            epochEnds.add(s.step());
          }
        })
        .build()
        .run();
    assertEquals(6, end.step());
    return net.params().dup();
  }

  @Test
  void listenersSeeEveryStepAndEpochEndAndTheSeedDecidesTheResult() {
    List<Long> steps = new ArrayList<>();
    List<Long> epochEnds = new ArrayList<>();
    INDArray a = train(features(), 5, steps, epochEnds);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps);
    assertEquals(List.of(3L, 6L), epochEnds);
    assertEquals(a, train(features(), 5, new ArrayList<>(), new ArrayList<>()));
    assertNotEquals(a, train(features(), 6, new ArrayList<>(), new ArrayList<>()));
  }

  @Test
  void nanLossThrowsDivergenceNamingTheStep() {
    INDArray x = features();
    x.putScalar(new long[] {0, 0}, Double.NaN);
    x.putScalar(new long[] {5, 0}, Double.NaN);
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> train(x, 5, new ArrayList<>(), new ArrayList<>()));
    assertTrue(e.getMessage().contains("Training diverged at step " + e.step()), e.getMessage());
    assertTrue(e.getMessage().contains("lower learning rate"), e.getMessage());
  }

  private static MultiLayerNetwork trainFloat() {
    MultiLayerNetwork net = network(DataType.FLOAT);
    Minibatches order = Minibatches.keepLast(10, 4, 5);
    TrainingLoop.builder(TrainingLoop.Network.of(net),
            TrainingLoop.Batches.of(features().castTo(DataType.FLOAT), labels().castTo(DataType.FLOAT), order, null),
            order.stepsPerEpoch(), 2 * order.stepsPerEpoch())
        .seed(5).build().run();
    return net;
  }

  private static Object adamOf(MultiLayerNetwork net) {
    return ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks().get(0).getGradientUpdater();
  }

  @Test
  void trainsWithDl4jsAdamComputedInJavaUnlessSwitchedOff() {
    MultiLayerNetwork java = trainFloat();
    assertInstanceOf(JavaAdamUpdater.class, adamOf(java));
    MultiLayerNetwork dl4j;
    System.setProperty(JavaAdamUpdater.PROPERTY, "false");
    try {
      dl4j = trainFloat();
    } finally {
      System.clearProperty(JavaAdamUpdater.PROPERTY);
    }
    assertEquals(AdamUpdater.class, adamOf(dl4j).getClass());
    assertArrayEquals(dl4j.params().toFloatVector(), java.params().toFloatVector());
    assertArrayEquals(dl4j.getUpdater().getStateViewArray().toFloatVector(),
        java.getUpdater().getStateViewArray().toFloatVector());
  }
}
