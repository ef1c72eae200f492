package io.github.ssl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.InputShapes;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.VertexNames;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every registered method, on grey and RGB images: the graph builds, the task's prepared batch
 * fits the graph input (pretraining), and the encoder input fits the encoder (embedding).
 */
class MethodsTest {

  @Test
  void everyMethodPreparesPretrainingBatchesAndEncoderInputsOfTheRightShape() {
    for (String name : Methods.names()) {
      PretrainingMethod m = Methods.get(name);
      for (ImageShape shape : new ImageShape[] {new ImageShape(1, 16, 16), new ImageShape(3, 16, 20)}) {
        PretextTask task = m.task(shape);
        Encoder encoder = m.encoder(m.encoderPresets().get(0), shape);
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().graphBuilder();
        task.buildGraph(g, encoder);
        INDArray images = Nd4j.rand(DataType.FLOAT, 4, shape.channels(), shape.height(), shape.width());
        MultiDataSet batch = task.prepare(m.taskInput(images), new SplittableRandom(1));
        InputShapes.check(g.getNetworkInputTypes().get(0), batch.getFeatures(0), VertexNames.INPUT);
        InputShapes.check(encoder.inputType(), m.encoderInput(images), VertexNames.INPUT);
      }
    }
  }

  @Test
  void namesAliasesAndErrors() {
    assertEquals("simclr", Methods.canonical("Contrastive"));
    assertTrue(Methods.names().containsAll(java.util.List.of("simclr", "masked-image", "denoising")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Methods.get("byol2"));
    assertTrue(e.getMessage().contains("simclr"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Methods.register("simclr", Methods.get("simclr")));
    e = assertThrows(IllegalArgumentException.class,
        () -> Methods.get("masked-image").task(new ImageShape(3, 30, 30)));
    assertTrue(e.getMessage().contains("divisible by 4"), e.getMessage());
  }
}
