package io.github.ssl4j.core.layers;

import io.github.ssl4j.core.dl4j.FloatBuffers;
import java.nio.FloatBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise part of one LSTM time step (DL4J's gate order, no peepholes, tanh block input
 * and cell activation, sigmoid gates) as one Java loop over the step's rows, instead of a dozen
 * array operations per step.
 *
 * <p>Arrays are float, {@code c}-ordered and contiguous, rows in time-major order ({@code
 * t·batch + b}): gate pre-activations and activations {@code [steps·batch, 4·size]} (columns:
 * block input, forget, output, input modulation), cell states, their activations and outputs
 * {@code [steps·batch, size]}. Activations are computed in double and rounded to float, so they
 * agree with ND4J's to float rounding.
 *
 * <p>Every value these loops store whose magnitude is below {@link Float#MIN_NORMAL} (a subnormal
 * float, such as the sigmoid of a gate pre-activation below about −87) is stored as zero: a matrix
 * product that reads subnormal values runs several times slower on CPUs that handle them in
 * microcode, and the LSTM's outputs and gate gradients go into such products.
 */
final class LstmCellLoops {
  /** Below this magnitude tanh(x) rounds to x in float. */
  private static final double TANH_LINEAR = 1e-4;
  /** Above this magnitude tanh(x) rounds to ±1 in float. */
  private static final double TANH_SATURATED = 20;

  private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

  private final int batch;
  private final int size;
  private final float[] gates;
  private final float[] activations;
  private final float[] cells;
  private final float[] previousCells;
  private final float[] cellActivations;
  private final float[] outputs;
  /** The cell-state gradient carried from step t + 1 to step t, [batch·size]. */
  private final float[] carried;

  /**
   * @param batch rows per time step
   * @param size the layer's size (units)
   */
  LstmCellLoops(int batch, int size) {
    this.batch = batch;
    this.size = size;
    int n = batch * size;
    gates = new float[4 * n];
    activations = new float[4 * n];
    cells = new float[n];
    previousCells = new float[n];
    cellActivations = new float[n];
    outputs = new float[n];
    carried = new float[n];
  }

  /** Whether these loops compute the layer: its activations and every array qualify. */
  static boolean apply(IActivation activation, IActivation gate, INDArray... arrays) {
    if (!(activation instanceof ActivationTanH) || !(gate instanceof ActivationSigmoid)) {
      return false;
    }
    for (INDArray a : arrays) {
      if (!FloatBuffers.contiguous(a)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The forward pass over these arrays, as a function of the step {@code t} to run (steps in
   * order): from the gate pre-activations {@code z} (recurrent part included), the gate
   * activations {@code a}, cell state {@code c}, its activation {@code tc} and output {@code h}.
   */
  IntConsumer forwardSteps(INDArray z, INDArray a, INDArray c, INDArray tc, INDArray h) {
    FloatBuffer zb = FloatBuffers.of(z);
    FloatBuffer ab = FloatBuffers.of(a);
    FloatBuffer cb = FloatBuffers.of(c);
    FloatBuffer tcb = FloatBuffers.of(tc);
    FloatBuffer hb = FloatBuffers.of(h);
    return t -> forward(zb, ab, cb, tcb, hb, t);
  }

  /**
   * The backward pass over these arrays, as a function of the step {@code t} to run, from step
   * {@code steps − 1} down to 0: from the gradient {@code dh} of each step's output (recurrent part
   * included) and the kept {@code a}, {@code c}, {@code tc}, the gradient {@code dz} of the gate
   * pre-activations; the cell-state gradient is carried from step {@code t} to {@code t − 1}.
   */
  IntConsumer backwardSteps(INDArray a, INDArray c, INDArray tc, INDArray dh, INDArray dz, int steps) {
    FloatBuffer ab = FloatBuffers.of(a);
    FloatBuffer cb = FloatBuffers.of(c);
    FloatBuffer tcb = FloatBuffers.of(tc);
    FloatBuffer dhb = FloatBuffers.of(dh);
    FloatBuffer dzb = FloatBuffers.of(dz);
    return t -> backward(ab, cb, tcb, dhb, dzb, t, t == steps - 1);
  }

  private void forward(FloatBuffer z, FloatBuffer a, FloatBuffer c, FloatBuffer tc, FloatBuffer h, int t) {
    int n = batch * size;
    int gateRows = t * 4 * n;
    int rows = t * n;
    z.get(gateRows, gates, 0, 4 * n);
    if (t > 0) {
      c.get(rows - n, previousCells, 0, n);
    }
    inRowRanges((from, to) -> forwardRows(t, from, to));
    a.put(gateRows, activations, 0, 4 * n);
    c.put(rows, cells, 0, n);
    tc.put(rows, cellActivations, 0, n);
    h.put(rows, outputs, 0, n);
  }

  /** @param last whether {@code t} is the last step (nothing is carried into it) */
  private void backward(FloatBuffer a, FloatBuffer c, FloatBuffer tc, FloatBuffer dh, FloatBuffer dz, int t, boolean last) {
    int n = batch * size;
    int gateRows = t * 4 * n;
    int rows = t * n;
    a.get(gateRows, activations, 0, 4 * n);
    tc.get(rows, cellActivations, 0, n);
    dh.get(rows, outputs, 0, n);
    if (t > 0) {
      c.get(rows - n, previousCells, 0, n);
    }
    inRowRanges((from, to) -> backwardRows(t, last, from, to));
    dz.put(gateRows, gates, 0, 4 * n);
  }

  private void forwardRows(int t, int from, int to) {
    for (int b = from; b < to; b++) {
      int g0 = b * 4 * size;
      int r0 = b * size;
      for (int j = 0; j < size; j++) {
        float ai = tanh(gates[g0 + j]);
        float f = sigmoid(gates[g0 + size + j]);
        float o = sigmoid(gates[g0 + 2 * size + j]);
        float g = sigmoid(gates[g0 + 3 * size + j]);
        activations[g0 + j] = ai;
        activations[g0 + size + j] = f;
        activations[g0 + 2 * size + j] = o;
        activations[g0 + 3 * size + j] = g;
        float cell = ai * g;
        if (t > 0) {
          cell += f * previousCells[r0 + j];
        }
        cell = normal(cell);
        float tcell = tanh(cell);
        cells[r0 + j] = cell;
        cellActivations[r0 + j] = tcell;
        outputs[r0 + j] = normal(tcell * o);
      }
    }
  }

  private void backwardRows(int t, boolean last, int from, int to) {
    for (int b = from; b < to; b++) {
      int g0 = b * 4 * size;
      int r0 = b * size;
      for (int j = 0; j < size; j++) {
        float ai = activations[g0 + j];
        float f = activations[g0 + size + j];
        float o = activations[g0 + 2 * size + j];
        float g = activations[g0 + 3 * size + j];
        float tcell = cellActivations[r0 + j];
        float dht = outputs[r0 + j];
        float dc = dht * o * (1 - tcell * tcell);
        if (!last) {
          dc += carried[r0 + j];
        }
        gates[g0 + j] = normal(dc * g * (1 - ai * ai));
        gates[g0 + size + j] = t > 0 ? normal(dc * previousCells[r0 + j] * f * (1 - f)) : 0f;
        gates[g0 + 2 * size + j] = normal(dht * tcell * o * (1 - o));
        gates[g0 + 3 * size + j] = normal(dc * ai * g * (1 - g));
        carried[r0 + j] = normal(dc * f);
      }
    }
  }

  /** Rows of a step are independent: the two halves of the batch run on two threads. */
  private void inRowRanges(RowRange body) {
    if (batch < 2 || PROCESSORS < 2) {
      body.run(0, batch);
      return;
    }
    int half = batch / 2;
    ForkJoinTask<?> other = ForkJoinPool.commonPool().submit(() -> body.run(half, batch));
    body.run(0, half);
    other.join();
  }

  /** {@code v}, or 0 when {@code v} is subnormal. */
  static float normal(float v) {
    return Math.abs(v) < Float.MIN_NORMAL ? 0f : v;
  }

  private interface RowRange {
    void run(int from, int to);
  }

  /** The logistic function, 0 where it is below {@link Float#MIN_NORMAL}. */
  static float sigmoid(float x) {
    return normal((float) (1.0 / (1.0 + Math.exp(-(double) x))));
  }

  /** tanh, 0 where its magnitude is below {@link Float#MIN_NORMAL}. */
  static float tanh(float x) {
    double d = x;
    if (Math.abs(d) < TANH_LINEAR) {
      return normal(x);
    }
    if (Math.abs(d) > TANH_SATURATED) {
      return d > 0 ? 1f : -1f;
    }
    double e = Math.exp(2 * d);
    return (float) ((e - 1) / (e + 1));
  }
}
