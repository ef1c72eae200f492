package io.github.ssl4j.core.momentum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class EmaTeacherTest {

  private static double[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextDouble(-2, 2);
    }
    return v;
  }

  @Test
  void updateMatchesNaiveLoopInDoubleAndFloat() {
    for (int n : new int[] {1, 7, 1000, 40_001}) {
      for (double m : new double[] {0, 0.5, 0.9, 0.996, 0.999999, 1}) {
        double[] t = random(n, n);
        double[] o = random(n, n + 1);
        INDArray target = Nd4j.createFromArray(t).reshape(1, n);
        INDArray source = Nd4j.createFromArray(o).reshape(1, n);
        EmaTeacher.update(target, source, m);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
          expected[i] = m * t[i] + (1 - m) * o[i];
        }
        assertArrayEquals(expected, target.toDoubleVector(), 1e-15, "n=" + n + " m=" + m);
        assertArrayEquals(o, source.toDoubleVector(), 0.0, "the source must not change");

        INDArray targetF = Nd4j.createFromArray(t).castTo(DataType.FLOAT).reshape(1, n);
        INDArray sourceF = Nd4j.createFromArray(o).castTo(DataType.FLOAT).reshape(1, n);
        float[] tf = targetF.toFloatVector();
        float[] of = sourceF.toFloatVector();
        EmaTeacher.update(targetF, sourceF, m);
        float[] gotF = targetF.toFloatVector();
        for (int i = 0; i < n; i++) {
          assertEquals(m * tf[i] + (1 - m) * of[i], gotF[i], 1e-6, "float n=" + n + " m=" + m + " i=" + i);
        }
      }
    }
  }

  @Test
  void rejectsBadMomentumAndMismatchedArrays() {
    INDArray a = Nd4j.zeros(DataType.DOUBLE, 1, 3);
    assertThrows(IllegalArgumentException.class, () -> EmaTeacher.update(a, a.dup(), 1.5));
    assertThrows(IllegalArgumentException.class, () -> EmaTeacher.update(a, a.dup(), Double.NaN));
    assertThrows(IllegalArgumentException.class,
        () -> EmaTeacher.update(a, Nd4j.zeros(DataType.DOUBLE, 1, 4), 0.9));
    assertThrows(IllegalArgumentException.class,
        () -> EmaTeacher.update(a, Nd4j.zeros(DataType.FLOAT, 1, 3), 0.9));
  }

  @Test
  void teacherStartsAsACopyFollowsTheOnlineGraphAndGivesVertexActivations() {
    ComputationGraph online = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3)
        .updater(new Sgd(0.1)).dataType(DataType.DOUBLE).graphBuilder()
        .addInputs("input").setInputTypes(InputType.feedForward(4))
        .addLayer("encoder/dense1", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "input")
        .addLayer("loss/mse", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(4)
            .activation(Activation.IDENTITY).build(), "encoder/dense1")
        .setOutputs("loss/mse").build());
    online.init();
    EmaTeacher teacher = EmaTeacher.copyOf(online);
    assertEquals(online.params(), teacher.params());
    INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4);
    assertEquals(online.feedForward(x, false).get("encoder/dense1"),
        teacher.activations("encoder/dense1", false, x));

    INDArray before = teacher.params().dup();
    online.fit(new org.nd4j.linalg.dataset.DataSet(x, x));
    INDArray after = online.params().dup();
    teacher.update(0.75);
    assertEquals(before.mul(0.75).add(after.mul(0.25)), teacher.params());
    assertEquals(after, online.params(), "the online parameters must not change");
    assertThrows(IllegalArgumentException.class, () -> teacher.activations("head/none", false, x));
  }

  /** Conv → batch norm → global pool → dense: large intermediate activations, a small output. */
  private static ComputationGraph convGraph(DataType type) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5)
        .updater(new Sgd(0.1)).dataType(type).graphBuilder()
        .addInputs("input").setInputTypes(InputType.convolutional(28, 28, 1))
        .addLayer("encoder/conv", new ConvolutionLayer.Builder(3, 3).nOut(32).padding(1, 1)
            .activation(Activation.RELU).build(), "input")
        .addLayer("encoder/bn", new BatchNormalization.Builder().build(), "encoder/conv")
        .addLayer("encoder/pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "encoder/bn")
        .addLayer("head/proj", new DenseLayer.Builder().nOut(8).activation(Activation.IDENTITY).build(), "encoder/pool")
        .addLayer("loss/mse", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(4)
            .activation(Activation.IDENTITY).build(), "head/proj")
        .setOutputs("loss/mse").build());
    g.init();
    return g;
  }

  @Test
  void trainingModeActivationsUseBatchStatisticsAndLeaveTheTeacherUnchanged() {
    ComputationGraph online = convGraph(DataType.DOUBLE);
    EmaTeacher teacher = EmaTeacher.copyOf(online);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 1, 28, 28);
    INDArray before = teacher.params().dup();
    INDArray z = teacher.activations("head/proj", true, x);
    assertArrayEquals(new long[] {6, 8}, z.shape());
    assertFalse(z.isAttached(), "the returned activations must live outside any workspace");
    assertTrue(z.equalsWithEps(online.feedForward(x, true).get("head/proj"), 1e-12),
        "training mode: the same as the online graph's forward pass with batch statistics");
    assertFalse(z.equalsWithEps(online.feedForward(x, false).get("head/proj"), 1e-6),
        "training mode must not use the running statistics");
    assertEquals(before, teacher.params(), "a forward pass must not change the teacher");
  }

  @Test
  void repeatedActivationsDoNotAccumulateNativeMemory() {
    // Each call's intermediate activations are 64 x 32 x 28 x 28 floats (6.4 MB) per layer; kept
    // outside a workspace they would pile up until a garbage collection, 150 calls about 1.9 GB.
    EmaTeacher teacher = EmaTeacher.copyOf(convGraph(DataType.FLOAT));
    INDArray x = Nd4j.rand(DataType.FLOAT, 64, 1, 28, 28);
    for (int i = 0; i < 20; i++) {
      teacher.activations("head/proj", true, x);
    }
    long start = Pointer.physicalBytes();
    for (int i = 0; i < 150; i++) {
      teacher.activations("head/proj", true, x);
    }
    long grown = Pointer.physicalBytes() - start;
    assertTrue(grown < 512L << 20, "resident memory grew by " + (grown >> 20) + " MB over 150 forward passes");
  }

  @Test
  void cosineScheduleRisesFromBaseToOne() {
    MomentumSchedule s = MomentumSchedule.cosine(0.996);
    assertEquals(0.996, s.at(0, 100), 1e-15);
    assertEquals(0.998, s.at(50, 100), 1e-15);
    assertEquals(1.0, s.at(100, 100), 1e-15);
    assertEquals(1 - 0.004 * (Math.cos(Math.PI * 0.3) + 1) / 2, s.at(30, 100), 1e-15);
    assertEquals(0.99, MomentumSchedule.constant(0.99).at(77, 100));
    assertThrows(IllegalArgumentException.class, () -> MomentumSchedule.cosine(1.1));
    assertThrows(IllegalArgumentException.class, () -> s.at(-1, 10));
  }
}
