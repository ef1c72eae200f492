package io.github.ssl4j.core.dl4j;

import static io.github.ssl4j.core.dl4j.JavaAdamUpdaterTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdaMaxUpdater;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.NadamUpdater;
import org.nd4j.linalg.learning.NesterovsUpdater;
import org.nd4j.linalg.learning.SgdUpdater;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link JavaAdamUpdater#install} on DL4J networks: which updater blocks it takes over, training
 * with it bit-identical to DL4J's Adam, and saved updater state unchanged.
 */
class JavaAdamInstallTest {

  /**
   * Adam blocks (the first layer's, a second Adam configuration's, the output layer's) between
   * blocks of other updaters (DL4J Nesterovs, AdaMax, Nadam, Sgd).
   */
  static ComputationGraph graph() {
    ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(12)
        .dataType(DataType.FLOAT).updater(new Adam(1e-2)).graphBuilder()
        .addInputs("in")
        .addLayer("a", new DenseLayer.Builder().nIn(5).nOut(24).activation(Activation.TANH).build(), "in")
        .addLayer("sgd", new DenseLayer.Builder().nIn(24).nOut(16).activation(Activation.TANH)
            .updater(new Sgd(0.05)).build(), "a")
        .addLayer("nesterovs", new DenseLayer.Builder().nIn(16).nOut(16).activation(Activation.TANH)
            .updater(new Nesterovs(0.01, 0.9)).build(), "sgd")
        .addLayer("adam2", new DenseLayer.Builder().nIn(16).nOut(12).activation(Activation.TANH)
            .updater(new Adam(3e-3, 0.8, 0.99, 1e-7)).build(), "nesterovs")
        .addLayer("adamax", new DenseLayer.Builder().nIn(12).nOut(12).activation(Activation.TANH)
            .updater(new AdaMax(2e-3)).build(), "adam2")
        .addLayer("nadam", new DenseLayer.Builder().nIn(12).nOut(10).activation(Activation.TANH)
            .updater(new Nadam(2e-3)).build(), "adamax")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(10).nOut(3)
            .activation(Activation.IDENTITY).build(), "nadam")
        .setOutputs("out").build());
    graph.init();
    return graph;
  }

  static List<MultiDataSet> batches(int count) {
    Nd4j.getRandom().setSeed(4);
    List<MultiDataSet> batches = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      batches.add(new org.nd4j.linalg.dataset.MultiDataSet(Nd4j.randn(DataType.FLOAT, 16, 5),
          Nd4j.randn(DataType.FLOAT, 16, 3)));
    }
    return batches;
  }

  private static List<UpdaterBlock> blocks(Updater updater) {
    return ((BaseMultiLayerUpdater<?>) updater).getUpdaterBlocks();
  }

  private static List<GradientUpdater<?>> updaters(Updater updater) {
    List<GradientUpdater<?>> out = new ArrayList<>();
    for (UpdaterBlock b : blocks(updater)) {
      out.add(b.getGradientUpdater());
    }
    return out;
  }

  @Test
  void replacesExactlyTheAdamBlocksSharingConfigAndStateAndIsIdempotent() {
    ComputationGraph graph = graph();
    Updater updater = graph.getUpdater();
    List<GradientUpdater<?>> before = updaters(updater);
    assertEquals(List.of(AdamUpdater.class, SgdUpdater.class, NesterovsUpdater.class, AdamUpdater.class,
        AdaMaxUpdater.class, NadamUpdater.class, AdamUpdater.class),
        before.stream().map(Object::getClass).toList());

    assertEquals(3, JavaAdamUpdater.install(updater));
    List<GradientUpdater<?>> after = updaters(updater);
    for (int i = 0; i < before.size(); i++) {
      if (before.get(i) instanceof AdamUpdater) {
        JavaAdamUpdater java = assertInstanceOf(JavaAdamUpdater.class, after.get(i));
        AdamUpdater dl4j = (AdamUpdater) before.get(i);
        assertSame(dl4j, java.dl4jUpdater());
        assertSame(dl4j.getConfig(), java.getConfig());
        assertSame(dl4j.getM(), java.getState().get(AdamUpdater.M_STATE));
        assertSame(dl4j.getV(), java.getState().get(AdamUpdater.V_STATE));
      } else {
        assertSame(before.get(i), after.get(i));
      }
    }
    assertEquals(3, JavaAdamUpdater.install(updater));
    List<GradientUpdater<?>> again = updaters(updater);
    for (int i = 0; i < after.size(); i++) {
      assertSame(after.get(i), again.get(i));
    }
    assertEquals(0, JavaAdamUpdater.install(null));
  }

  @Test
  void trainsBitIdenticallyToDl4jsAdamAndSavesTheSameState(@TempDir Path dir) throws Exception {
    ComputationGraph java = graph();
    ComputationGraph dl4j = graph();
    assertBits(dl4j.params(), java.params(), "initial parameters");
    List<MultiDataSet> batches = batches(12);
    Updater javaUpdater = java.getUpdater();
    for (int step = 0; step < 8; step++) {
      assertEquals(3, JavaAdamUpdater.install(java.getUpdater()));
      java.fit(batches.get(step));
      dl4j.fit(batches.get(step));
      assertBits(dl4j.params(), java.params(), "parameters after step " + (step + 1));
      assertBits(dl4j.getUpdater().getStateViewArray(), java.getUpdater().getStateViewArray(),
          "updater state after step " + (step + 1));
    }
    // fit used the updater the blocks were installed into
    assertSame(javaUpdater, java.getUpdater());
    assertInstanceOf(JavaAdamUpdater.class, blocks(javaUpdater).get(0).getGradientUpdater());

    File file = dir.resolve("graph.zip").toFile();
    ModelSerializer.writeModel(java, file, true);
    ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
    assertBits(java.params(), restored.params(), "restored parameters");
    assertBits(java.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray(),
        "restored updater state");
    assertInstanceOf(AdamUpdater.class, blocks(restored.getUpdater()).get(0).getGradientUpdater());
    for (int step = 8; step < 12; step++) {
      JavaAdamUpdater.install(java.getUpdater());
      JavaAdamUpdater.install(restored.getUpdater());
      java.fit(batches.get(step));
      restored.fit(batches.get(step));
      dl4j.fit(batches.get(step));
      assertBits(dl4j.params(), java.params(), "parameters after step " + (step + 1));
      assertBits(java.params(), restored.params(), "restored, parameters after step " + (step + 1));
      assertBits(java.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray(),
          "restored, updater state after step " + (step + 1));
    }
  }

  @Test
  void worksOnAMultiLayerNetwork() {
    MultiLayerNetwork[] nets = new MultiLayerNetwork[2];
    for (int i = 0; i < 2; i++) {
      nets[i] = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
          .updater(new Adam(1e-2)).list()
          .layer(new DenseLayer.Builder().nIn(5).nOut(8).activation(Activation.RELU).build())
          .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(8).nOut(3)
              .activation(Activation.IDENTITY).build())
          .build());
      nets[i].init();
    }
    List<MultiDataSet> batches = batches(5);
    for (MultiDataSet b : batches) {
      assertEquals(1, JavaAdamUpdater.install(nets[0].getUpdater()));
      nets[0].fit(b);
      nets[1].fit(b);
    }
    assertBits(nets[1].params(), nets[0].params(), "parameters");
    assertBits(nets[1].getUpdater().getStateViewArray(), nets[0].getUpdater().getStateViewArray(), "state");
  }

  @Test
  void propertyFalseKeepsOrPutsBackDl4jsAdam() {
    ComputationGraph graph = graph();
    Updater updater = graph.getUpdater();
    GradientUpdater<?> dl4j = blocks(updater).get(0).getGradientUpdater();
    System.setProperty(JavaAdamUpdater.PROPERTY, "false");
    try {
      assertEquals(false, JavaAdamUpdater.enabled());
      assertEquals(0, JavaAdamUpdater.install(updater));
      assertSame(dl4j, blocks(updater).get(0).getGradientUpdater());
      System.clearProperty(JavaAdamUpdater.PROPERTY);
      assertEquals(3, JavaAdamUpdater.install(updater));
      assertNotSame(dl4j, blocks(updater).get(0).getGradientUpdater());
      System.setProperty(JavaAdamUpdater.PROPERTY, " FALSE ");
      assertEquals(0, JavaAdamUpdater.install(updater));
      assertSame(dl4j, blocks(updater).get(0).getGradientUpdater());
      for (GradientUpdater<?> u : updaters(updater)) {
        assertEquals(false, u instanceof JavaAdamUpdater, u.toString());
      }
    } finally {
      System.clearProperty(JavaAdamUpdater.PROPERTY);
    }
    assertEquals(true, JavaAdamUpdater.enabled());
  }
}
