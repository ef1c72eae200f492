package io.github.ssl4j.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;

class WarmupCosineScheduleTest {
  private final WarmupCosineSchedule s = new WarmupCosineSchedule(1.0, 0.1, 4, 14);

  @Test
  void warmupIsLinearFromZero() {
    assertEquals(0.0, s.valueAt(0, 0));
    assertEquals(0.25, s.valueAt(1, 0), 1e-15);
    assertEquals(0.75, s.valueAt(3, 7), 1e-15); // epoch is ignored
  }

  @Test
  void cosineDecayMatchesClosedForm() {
    assertEquals(1.0, s.valueAt(4, 0), 1e-15); // peak right after warm-up
    assertEquals(0.55, s.valueAt(9, 0), 1e-15); // halfway: min + (base-min)/2
    for (int i = 4; i < 14; i++) {
      double expected = 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * (i - 4) / 10.0));
      assertEquals(expected, s.valueAt(i, 0), 1e-15, "iteration " + i);
      assertTrue(s.valueAt(i + 1, 0) <= s.valueAt(i, 0), "monotone decay at " + i);
    }
    assertEquals(0.1, s.valueAt(14, 0));
    assertEquals(0.1, s.valueAt(1_000_000, 0));
    assertEquals(1.0, new WarmupCosineSchedule(1.0, 0.0, 0, 10).valueAt(0, 0)); // no warm-up
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(0, 0, 1, 2))
        .getMessage().contains("baseValue"));
    assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(1, 2, 1, 2));
    assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(1, 0, -1, 2));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(1, 0, 5, 5))
        .getMessage().contains("totalIterations"));
  }

  @Test
  void survivesJsonRoundTripInsideGraphConfiguration() {
    Adam adam = new Adam(1e-3);
    adam.setLearningRateSchedule(s);
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().updater(adam)
        .graphBuilder().addInputs("in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2)
            .activation(Activation.IDENTITY).build(), "in")
        .setOutputs("out").build();
    String json = conf.toJson();
    assertTrue(json.contains(WarmupCosineSchedule.class.getName()), json);
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
    BaseLayer layer = (BaseLayer) ((LayerVertex) back.getVertices().get("out")).getLayerConf().getLayer();
    ISchedule restored = assertInstanceOf(Adam.class, layer.getIUpdater()).getLearningRateSchedule();
    assertEquals(s, restored);
    assertEquals(s.valueAt(7, 0), restored.valueAt(7, 0));
    assertEquals(conf, back);
  }
}
