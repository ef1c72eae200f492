package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * {@link JavaAdamUpdater} against DL4J's {@link AdamUpdater}, bit for bit, and against Adam's
 * formula in double precision.
 *
 * <p>Bit-identical results are possible because libnd4j's x86-64 build computes the step in plain
 * single-precision IEEE arithmetic (no fused multiply-add) and the Java updater repeats its order
 * of operations. The one part Java cannot repeat on its own is {@code powf} for the powers {@code
 * beta^t}: {@code (float) Math.pow} differs from glibc's {@code powf} in the last bit for some
 * {@code t}, which changes the step size and so every update of that step; the updater therefore
 * takes the powers from ND4J's {@code pow}, and {@link #equalsDl4jWhereJavasPowDiffersFromPowf}
 * checks steps where the two differ with glibc's {@code powf}.
 */
class JavaAdamUpdaterTest {

  /** Updaters of {@code config} on views into larger arrays, with the gradient views to update. */
  private static final class Pair {
    final AdamUpdater dl4j;
    final JavaAdamUpdater java;
    final INDArray dl4jState;
    final INDArray javaState;
    final INDArray dl4jGradientBuffer;
    final INDArray javaGradientBuffer;
    final INDArray dl4jGradient;
    final INDArray javaGradient;

    Pair(Adam config, DataType type, int n) {
      // state: a view of 2n elements at offset 5 of a longer vector, as DL4J's updater blocks have
      INDArray a = Nd4j.zeros(type, 2L * n + 11);
      INDArray b = Nd4j.zeros(type, 2L * n + 11);
      dl4jState = a.get(NDArrayIndex.interval(5, 5 + 2L * n));
      javaState = b.get(NDArrayIndex.interval(5, 5 + 2L * n));
      dl4j = (AdamUpdater) config.instantiate(dl4jState, true);
      java = new JavaAdamUpdater((AdamUpdater) config.instantiate(javaState, true));
      dl4jGradientBuffer = Nd4j.zeros(type, n + 8).addi(7);
      javaGradientBuffer = Nd4j.zeros(type, n + 8).addi(7);
      dl4jGradient = dl4jGradientBuffer.get(NDArrayIndex.interval(3, 3 + n));
      javaGradient = javaGradientBuffer.get(NDArrayIndex.interval(3, 3 + n));
    }

    /** One step of both on the same gradient; asserts equal updates, state and untouched surroundings. */
    void step(float[] gradient, int iteration, int epoch, String what) {
      INDArray g = Nd4j.createFromArray(gradient).castTo(dl4jGradient.dataType());
      dl4jGradient.assign(g);
      javaGradient.assign(g);
      dl4j.applyUpdater(dl4jGradient, iteration, epoch);
      java.applyUpdater(javaGradient, iteration, epoch);
      assertBits(dl4jGradientBuffer, javaGradientBuffer, what + ", update");
      assertBits(dl4jState, javaState, what + ", state [m | v]");
    }
  }

  /** Every element equal in its bits (NaN to NaN), else fails with the count and the first difference. */
  static void assertBits(INDArray expected, INDArray actual, String what) {
    assertEquals(expected.length(), actual.length(), what + ": length");
    if (expected.dataType() == DataType.DOUBLE) {
      double[] e = expected.dup().data().asDouble();
      double[] a = actual.dup().data().asDouble();
      int differ = 0;
      int first = -1;
      for (int i = 0; i < e.length; i++) {
        if (Double.doubleToLongBits(e[i]) != Double.doubleToLongBits(a[i])) {
          differ++;
          first = first < 0 ? i : first;
        }
      }
      if (differ > 0) {
        fail(what + ": " + differ + " of " + e.length + " elements differ, first [" + first + "] "
            + e[first] + " vs " + a[first]);
      }
      return;
    }
    float[] e = expected.castTo(DataType.FLOAT).dup().data().asFloat();
    float[] a = actual.castTo(DataType.FLOAT).dup().data().asFloat();
    int differ = 0;
    int first = -1;
    for (int i = 0; i < e.length; i++) {
      if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i])) {
        differ++;
        first = first < 0 ? i : first;
      }
    }
    if (differ > 0) {
      fail(what + ": " + differ + " of " + e.length + " elements differ, first [" + first + "] " + e[first]
          + " vs " + a[first] + " (" + Math.abs(Float.floatToIntBits(e[first]) - Float.floatToIntBits(a[first]))
          + " ulp)");
    }
  }

  /**
   * Gaussian values times magnitudes from 1e-12 to 1e2, with zeros, and (when {@code extremes})
   * values whose square is near or beyond float's range.
   */
  static float[] gradient(Random r, int n, boolean extremes) {
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = (float) (r.nextGaussian() * Math.pow(10, -12 + 14 * r.nextDouble()));
    }
    g[r.nextInt(n)] = 0f;
    if (extremes && n > 8) {
      g[r.nextInt(n)] = 1e19f;
      g[r.nextInt(n)] = -3e19f;
      g[r.nextInt(n)] = 1e-30f;
      g[r.nextInt(n)] = -0f;
    }
    return g;
  }

  @Test
  void equalsDl4jBitForBitOnViewsOfManyLengths() {
    // 1 element; fewer than a block; a block and one more; two tasks with an odd split; about 1e6
    int[] lengths = {1, 7, JavaAdamUpdater.BLOCK + 1, 2 * JavaAdamUpdater.MIN_PER_TASK + 3, 1_000_003};
    for (int n : lengths) {
      Pair p = new Pair(new Adam(1e-3), DataType.FLOAT, n);
      Random r = new Random(n);
      for (int it = 0; it < 30; it++) {
        p.step(gradient(r, n, it % 3 == 2), it, it / 10, "n " + n + ", iteration " + it);
      }
    }
  }

  @Test
  void equalsDl4jForOtherHyperparametersAndLearningRateZero() {
    // lr 0 gives a step size of 0, which libnd4j replaces by epsilon: the Java updater does too
    Adam[] configs = {new Adam(0.05, 0.8, 0.99, 1e-6), new Adam(0.0), new Adam(2e-4, 0.5, 0.9, 1e-3)};
    for (Adam config : configs) {
      Pair p = new Pair(config, DataType.FLOAT, 4099);
      Random r = new Random(11);
      for (int it = 0; it < 20; it++) {
        p.step(gradient(r, 4099, true), it, 0, config + ", iteration " + it);
      }
    }
  }

  @Test
  void equalsDl4jWhereJavasPowDiffersFromPowf() {
    Object[][] cases = {{new Adam(1e-3), 3600}, {new Adam(1e-3, 0.95, 0.9999, 1e-8), 500}};
    for (Object[] c : cases) {
      Adam config = (Adam) c[0];
      int from = (Integer) c[1];
      Pair p = new Pair(config, DataType.FLOAT, 257);
      Random r = new Random(from);
      for (int it = from; it < from + 12; it++) {
        p.step(gradient(r, 257, false), it, 0, config + ", iteration " + it);
      }
    }
  }

  @Test
  void followsIterationAndEpochLearningRateSchedules() {
    StepSchedule byIteration = new StepSchedule(ScheduleType.ITERATION, 1e-2, 0.5, 3);
    StepSchedule byEpoch = new StepSchedule(ScheduleType.EPOCH, 1e-2, 0.1, 1);
    for (StepSchedule schedule : new StepSchedule[] {byIteration, byEpoch}) {
      Pair p = new Pair(new Adam(schedule), DataType.FLOAT, 513);
      Random r = new Random(5);
      for (int it = 0; it < 9; it++) {
        p.step(gradient(r, 513, false), it, it / 4, schedule.getScheduleType() + ", iteration " + it);
      }
    }
    // the scheduled rate at (iteration, epoch) = a fixed rate of that value
    for (int[] at : new int[][] {{0, 0}, {4, 0}, {7, 1}, {7, 2}}) {
      for (StepSchedule schedule : new StepSchedule[] {byIteration, byEpoch}) {
        Pair scheduled = new Pair(new Adam(schedule), DataType.FLOAT, 100);
        Pair fixed = new Pair(new Adam(schedule.valueAt(at[0], at[1])), DataType.FLOAT, 100);
        float[] g = gradient(new Random(at[0]), 100, false);
        scheduled.javaGradient.assign(Nd4j.createFromArray(g));
        fixed.javaGradient.assign(Nd4j.createFromArray(g));
        scheduled.java.applyUpdater(scheduled.javaGradient, at[0], at[1]);
        fixed.java.applyUpdater(fixed.javaGradient, at[0], at[1]);
        assertBits(fixed.javaGradient, scheduled.javaGradient, schedule.getScheduleType() + " at " + at[0] + "/" + at[1]);
      }
    }
    Pair a = new Pair(new Adam(byIteration), DataType.FLOAT, 100);
    Pair b = new Pair(new Adam(byIteration), DataType.FLOAT, 100);
    a.javaGradient.assign(1);
    b.javaGradient.assign(1);
    a.java.applyUpdater(a.javaGradient, 2, 0);
    b.java.applyUpdater(b.javaGradient, 3, 0);
    // iteration 3 halves the rate, and changes the bias correction
    assertNotEquals(a.javaGradient.getFloat(0L), b.javaGradient.getFloat(0L));
  }

  /**
   * The formula with the hyperparameters as the floats libnd4j computes with ({@code 1 − beta2}
   * of {@code (float) 0.999} is already about the tolerance away from 0.001).
   */
  @Test
  void matchesAdamsFormulaInDouble() {
    Adam config = new Adam(3e-3, 0.9, 0.999, 1e-8);
    double lr = (float) config.getLearningRate();
    double beta1 = (float) config.getBeta1();
    double beta2 = (float) config.getBeta2();
    double eps = (float) config.getEpsilon();
    int n = 3001;
    Pair p = new Pair(config, DataType.FLOAT, n);
    Random r = new Random(3);
    for (int it = 0; it < 30; it++) {
      float[] g = new float[n];
      for (int i = 0; i < n; i++) {
        g[i] = (float) (r.nextGaussian() * Math.pow(10, -4 + 4 * r.nextDouble()));
      }
      float[] m0 = p.java.getState().get(AdamUpdater.M_STATE).dup().data().asFloat();
      float[] v0 = p.java.getState().get(AdamUpdater.V_STATE).dup().data().asFloat();
      p.javaGradient.assign(Nd4j.createFromArray(g));
      p.java.applyUpdater(p.javaGradient, it, 0);
      float[] u = p.javaGradient.dup().data().asFloat();
      float[] m1 = p.java.getState().get(AdamUpdater.M_STATE).dup().data().asFloat();
      float[] v1 = p.java.getState().get(AdamUpdater.V_STATE).dup().data().asFloat();
      int t = it + 1;
      double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
      for (int i = 0; i < n; i++) {
        double m = beta1 * m0[i] + (1 - beta1) * g[i];
        double v = beta2 * v0[i] + (1 - beta2) * g[i] * (double) g[i];
        double update = alpha * m / (Math.sqrt(v) + eps);
        // relative to the terms' magnitudes: m may be a difference of nearly equal terms
        double mScale = beta1 * Math.abs(m0[i]) + (1 - beta1) * Math.abs(g[i]);
        String at = "iteration " + it + ", element " + i;
        assertEquals(m, m1[i], 1e-5 * mScale, at + ": m");
        assertEquals(v, v1[i], 1e-5 * v, at + ": v");
        assertEquals(update, u[i], 1e-5 * alpha * mScale / (Math.sqrt(v) + eps), at + ": update");
      }
    }
  }

  @Test
  void doubleHalfAndStridedArraysRunDl4jsOp() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.HALF}) {
      Pair p = new Pair(new Adam(1e-3), type, 1001);
      Random r = new Random(9);
      for (int it = 0; it < 10; it++) {
        p.step(gradient(r, 1001, false), it, 0, type + ", iteration " + it);
      }
    }
    // a gradient that is a column of a c-ordered matrix: every third element
    int n = 500;
    INDArray ga = Nd4j.rand(DataType.FLOAT, n, 3);
    INDArray gb = ga.dup();
    AdamUpdater dl4j = (AdamUpdater) new Adam(1e-2).instantiate(Nd4j.zeros(DataType.FLOAT, 2 * n), true);
    JavaAdamUpdater java = new JavaAdamUpdater(new Adam(1e-2));
    java.setStateViewArray(Nd4j.zeros(DataType.FLOAT, 2 * n), new long[] {n}, 'c', true);
    for (int it = 0; it < 3; it++) {
      dl4j.applyUpdater(ga.getColumn(1), it, 0);
      java.applyUpdater(gb.getColumn(1), it, 0);
      assertBits(ga, gb, "strided gradient, iteration " + it);
      assertBits(dl4j.getM(), java.getState().get(AdamUpdater.M_STATE), "strided gradient, m");
      assertBits(dl4j.getV(), java.getState().get(AdamUpdater.V_STATE), "strided gradient, v");
    }
  }

  @Test
  void stateIsDl4jsAndUninitialisedStateThrowsAsDl4j() {
    INDArray view = Nd4j.rand(DataType.FLOAT, 1, 20);
    INDArray before = view.dup();
    JavaAdamUpdater java = new JavaAdamUpdater(new Adam(1e-3));
    assertThrows(IllegalStateException.class,
        () -> java.applyUpdater(Nd4j.ones(DataType.FLOAT, 10), 0, 0));
    java.setStateViewArray(view, new long[] {10}, 'c', false);
    assertBits(before, view, "initialize = false leaves the view alone");
    Map<String, INDArray> state = java.getState();
    assertEquals(Map.of(AdamUpdater.M_STATE, before.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 10)),
        AdamUpdater.V_STATE, before.get(NDArrayIndex.point(0), NDArrayIndex.interval(10, 20))), state);
    java.setStateViewArray(view, new long[] {10}, 'c', true);
    assertEquals(0.0, view.amaxNumber().doubleValue());
    // the state arrays are views of the view array, as DL4J's
    java.applyUpdater(Nd4j.ones(DataType.FLOAT, 10), 0, 0);
    assertEquals(1f - 0.9f, view.getFloat(0L));
    assertEquals(1f - 0.999f, view.getFloat(10L));

    INDArray m = Nd4j.zeros(DataType.FLOAT, 4);
    INDArray v = Nd4j.zeros(DataType.FLOAT, 4);
    java.setState(Map.of(AdamUpdater.M_STATE, m, AdamUpdater.V_STATE, v), false);
    assertSame(m, java.getState().get(AdamUpdater.M_STATE));
    assertSame(v, java.getState().get(AdamUpdater.V_STATE));
    assertThrows(IllegalStateException.class, () -> java.setState(Map.of(AdamUpdater.M_STATE, m), false));
    assertThrows(IllegalArgumentException.class,
        () -> java.setStateViewArray(Nd4j.zeros(DataType.FLOAT, 4, 4), new long[] {8}, 'c', true));
  }

  @Test
  void sharesTheConfigurationAndStateOfTheUpdaterItWraps() {
    Adam config = new Adam(1e-3);
    AdamUpdater dl4j = (AdamUpdater) config.instantiate(Nd4j.zeros(DataType.FLOAT, 1, 8), true);
    JavaAdamUpdater java = new JavaAdamUpdater(dl4j);
    assertSame(config, java.getConfig());
    assertSame(dl4j, java.dl4jUpdater());
    assertSame(dl4j.getM(), java.getState().get(AdamUpdater.M_STATE));
    assertSame(dl4j.getV(), java.getState().get(AdamUpdater.V_STATE));
    assertTrue(FloatBuffers.contiguous(dl4j.getM()));
  }
}
