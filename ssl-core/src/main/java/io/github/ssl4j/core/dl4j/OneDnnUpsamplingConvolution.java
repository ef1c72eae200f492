package io.github.ssl4j.core.dl4j;

import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nearest-neighbour upsampling by 2 followed by a 3×3, stride-1 convolution with same padding,
 * computed on oneDNN without the upsampled array.
 *
 * <p>Each output pixel {@code y[2i+a, 2j+b]} (phase {@code a, b ∈ {0, 1}}) sees only a 2×2 window
 * of the input {@code x}: rows {@code i−1+a, i+a} and columns {@code j−1+b, j+b}, where the 3×3
 * kernel's taps that fall on the same input pixel add up. Row tap 0 of phase 0 is the kernel's row
 * 0, its tap 1 rows 1 + 2; for phase 1, tap 0 is rows 0 + 1 and tap 1 row 2 (columns alike). So
 * the four phases are one 2×2 convolution with four times the output channels, padding 1 and
 * output {@code (H+1)×(W+1)}: {@code y[n, o, 2i+a, 2j+b] = O[n, (2a+b)·out + o, i+a, j+b]}. That
 * takes 16 multiply-adds per output pixel group of four where upsampling and convolving takes 36,
 * and neither the upsampled input nor its gradient is stored. The phases are interleaved into the
 * output (and the output gradient split into them) by oneDNN reorders between strided views.
 * Values equal upsampling and convolving up to float summation order.
 *
 * <p>Parameters are the convolution's own: weights {@code [out, in, 3, 3]}, bias {@code [out]}.
 * NCHW float arrays only ({@link #takes}). One per layer; keeps the primitives of the last input
 * shape. Not thread-safe.
 */
public final class OneDnnUpsamplingConvolution {
  /** The upsampling factor this class computes. */
  public static final int FACTOR = 2;
  /** The kernel size this class computes. */
  public static final int KERNEL = 3;

  /**
   * Which 3×3 kernel entry adds into which phase-kernel tap: {kernel index ky·3 + kx, phase 2a + b,
   * tap 2·ty + tx}. Row tap 0 of phase 0 is kernel row 0, its tap 1 rows 1 and 2; for phase 1,
   * tap 0 is rows 0 and 1, tap 1 row 2; columns alike.
   */
  private static final int[][] KERNEL_TO_PHASE_TAP = kernelToPhaseTap();

  private final OneDnnConvolution convolution = new OneDnnConvolution();
  private long[] inShape;
  private long outChannels;
  private boolean bias;
  private OneDnnConvolution.Geometry geometry;
  /** oneDNN's layout for the phase array, or null when its phases cannot be windows of it. */
  private memory.desc blockedPhases;
  private Phases toOutput;
  private Phases fromOutputGradient;

  /**
   * @return whether oneDNN can take {@code input} here: oneDNN's natives present and a plain
   *     (dense, row-major) float NCHW array
   */
  public static boolean takes(INDArray input) {
    return OneDnn.available() && input != null && input.rank() == 4 && input.dataType() == DataType.FLOAT
        && OneDnn.isPlainFloat(input) && OneDnnLayouts.of(input) == null;
  }

  /**
   * The pre-activation output into a new activations array.
   *
   * @param input [batch, in, h, w], {@link #takes taken}
   * @param weights [out, in, 3, 3]
   * @param bias [out] or [1, out], or null without bias
   * @return [batch, out, 2h, 2w], plain
   */
  public INDArray forward(INDArray input, INDArray weights, INDArray bias, LayerWorkspaceMgr workspaceMgr) {
    use(input, weights, bias != null);
    INDArray phaseWeights = phaseWeights(weights);
    INDArray phaseBias = bias == null ? null : Nd4j.tile(bias.reshape(1, outChannels), 1, 4)
        .reshape(4 * outChannels);
    INDArray phases = convolution.forward(geometry, input, phaseWeights, phaseBias,
        OneDnnLayouts.allowed() && blockedPhases != null, workspaceMgr);
    INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, outputShape(), 'c');
    toOutput(OneDnnLayouts.of(phases)).run(phases, output);
    return output;
  }

  /**
   * The backward pass: weight and bias gradients into the caller's arrays, and the input gradient.
   *
   * @param input the forward pass's input
   * @param delta the gradient of the pre-activation output, [batch, out, 2h, 2w], plain
   * @param weights [out, in, 3, 3]
   * @param weightGrad [out, in, 3, 3], plain, written
   * @param biasGrad [out] or [1, out], plain, written; null without bias
   * @param inputGradient whether to compute the input gradient
   * @return the gradient with respect to the input, [batch, in, h, w] plain (a new activation-gradient
   *     array), or null when not asked for
   */
  public INDArray backward(INDArray input, INDArray delta, INDArray weights, INDArray weightGrad, INDArray biasGrad,
      boolean inputGradient, LayerWorkspaceMgr workspaceMgr) {
    use(input, weights, biasGrad != null);
    if (!Arrays.equals(delta.shape(), outputShape()) || !OneDnn.isPlainFloat(delta)) {
      throw new IllegalArgumentException("output gradient must be a plain float array of shape "
          + Arrays.toString(outputShape()) + ", got " + delta.dataType() + " " + Arrays.toString(delta.shape()));
    }
    long[] phaseShape = geometry.outShape();
    memory.desc layout = OneDnnLayouts.allowed() ? blockedPhases : null;
    // positions no phase reads (row 0 of phase a = 1, row h of a = 0, columns alike) stay zero
    INDArray phaseDelta = workspaceMgr.create(ArrayType.BP_WORKING_MEM, DataType.FLOAT, phaseShape, 'c');
    if (layout != null) {
      OneDnnLayouts.mark(phaseDelta, layout);
    }
    fromOutputGradient(layout).run(delta, phaseDelta);

    INDArray phaseWeightGrad = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT,
        new long[] {4 * outChannels, inShape[1], 2, 2}, 'c');
    INDArray phaseBiasGrad = biasGrad == null ? null
        : workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {4 * outChannels}, 'c');
    convolution.weightGradients(geometry, input, phaseDelta, phaseWeightGrad, phaseBiasGrad, workspaceMgr);
    weightGrad.assign(kernelGradient(phaseWeightGrad).reshape(weightGrad.shape()));
    if (biasGrad != null) {
      biasGrad.assign(phaseBiasGrad.reshape(4, outChannels).sum(0).reshape(biasGrad.shape()));
    }
    if (!inputGradient) {
      return null;
    }
    return convolution.inputGradient(geometry, input, phaseDelta, phaseWeights(weights), workspaceMgr);
  }

  private void use(INDArray input, INDArray weights, boolean hasBias) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(weights, "weights");
    if (!takes(input)) {
      throw new IllegalArgumentException("input must be a plain float NCHW array, got " + input.dataType() + " "
          + Arrays.toString(input.shape()));
    }
    long[] w = weights.shape();
    if (w.length != 4 || w[1] != input.size(1) || w[2] != KERNEL || w[3] != KERNEL) {
      throw new IllegalArgumentException("weights must be [out, " + input.size(1) + ", 3, 3] for input "
          + Arrays.toString(input.shape()) + ", got " + Arrays.toString(w));
    }
    if (geometry != null && Arrays.equals(inShape, input.shape()) && outChannels == w[0] && bias == hasBias) {
      return;
    }
    inShape = input.shape();
    outChannels = w[0];
    bias = hasBias;
    geometry = OneDnnConvolution.Geometry.of(inShape,
        new long[] {inShape[0], 4 * outChannels, inShape[2] + 1, inShape[3] + 1},
        new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, hasBias);
    toOutput = null;
    fromOutputGradient = null;
    blockedPhases = windowsOf(convolution.outputLayout(geometry));
  }

  /**
   * {@code layout} if it holds the phase array without padding and each phase is a window of it
   * (in a layout blocked by channels, a phase must start at a block), else null.
   */
  private memory.desc windowsOf(memory.desc layout) {
    if (!OneDnnConvolution.fits(layout, geometry.outShape())) {
      return null;
    }
    long[] dims = {inShape[0], outChannels, inShape[2], inShape[3]};
    try {
      for (int phase = 0; phase < 4; phase++) {
        layout.submemory_desc(dims, new long[] {0, phase * outChannels, phase / 2, phase % 2});
      }
      return layout;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private long[] outputShape() {
    return new long[] {inShape[0], outChannels, FACTOR * inShape[2], FACTOR * inShape[3]};
  }

  /**
   * The 2×2 kernels of the four phases, [4·out, in, 2, 2] (phase 2a+b first): each tap the sum of
   * the 3×3 kernel's entries that fall on the same input pixel.
   */
  private INDArray phaseWeights(INDArray weights) {
    int pairs = (int) (weights.size(0) * weights.size(1));
    float[] w = weights.dup('c').data().asFloat();
    float[] p = new float[4 * pairs * 4];
    for (int[] e : KERNEL_TO_PHASE_TAP) {
      for (int oc = 0; oc < pairs; oc++) {
        p[(e[1] * pairs + oc) * 4 + e[2]] += w[oc * 9 + e[0]];
      }
    }
    return Nd4j.createFromArray(p).reshape(4 * weights.size(0), weights.size(1), 2, 2);
  }

  /** The gradient of the 3×3 kernel from that of the phase kernels (the adjoint of {@link #phaseWeights}). */
  private INDArray kernelGradient(INDArray phaseWeightGrad) {
    int pairs = (int) (outChannels * inShape[1]);
    float[] p = phaseWeightGrad.dup('c').data().asFloat();
    float[] w = new float[pairs * 9];
    for (int[] e : KERNEL_TO_PHASE_TAP) {
      for (int oc = 0; oc < pairs; oc++) {
        w[oc * 9 + e[0]] += p[(e[1] * pairs + oc) * 4 + e[2]];
      }
    }
    return Nd4j.createFromArray(w);
  }

  private static int[][] kernelToPhaseTap() {
    int[][][] phaseTapsOfRow = {{{0, 0}, {1, 0}}, {{0, 1}, {1, 0}}, {{0, 1}, {1, 1}}};
    int[][] entries = new int[36][];
    int n = 0;
    for (int ky = 0; ky < KERNEL; ky++) {
      for (int kx = 0; kx < KERNEL; kx++) {
        for (int[] row : phaseTapsOfRow[ky]) {
          for (int[] col : phaseTapsOfRow[kx]) {
            entries[n++] = new int[] {ky * KERNEL + kx, 2 * row[0] + col[0], 2 * row[1] + col[1]};
          }
        }
      }
    }
    return entries;
  }

  private Phases toOutput(memory.desc phaseLayout) {
    if (toOutput == null || !OneDnn.sameLayout(toOutput.phaseLayout, phaseLayout)) {
      toOutput = new Phases(phaseLayout, true);
    }
    return toOutput;
  }

  private Phases fromOutputGradient(memory.desc phaseLayout) {
    if (fromOutputGradient == null || !OneDnn.sameLayout(fromOutputGradient.phaseLayout, phaseLayout)) {
      fromOutputGradient = new Phases(phaseLayout, false);
    }
    return fromOutputGradient;
  }

  /**
   * Four reorders between the phase array [batch, 4·out, h+1, w+1] (plain or in {@code
   * phaseLayout}) and the interleaved array [batch, out, 2h, 2w] (plain): phase (a, b) is the
   * window at channels (2a+b)·out, row a, column b of the one and every second row from a and
   * column from b of the other.
   */
  private final class Phases {
    final memory.desc phaseLayout;
    private final reorder[] reorders = new reorder[4];
    private final memory[] phaseMemory = new memory[4];
    private final memory[] interleavedMemory = new memory[4];
    private final long[] interleavedOffsets = new long[4];
    private final boolean toInterleaved;

    Phases(memory.desc phaseLayout, boolean toInterleaved) {
      this.phaseLayout = phaseLayout;
      this.toInterleaved = toInterleaved;
      long n = inShape[0];
      long h = inShape[2];
      long w = inShape[3];
      long[] dims = {n, outChannels, h, w};
      memory.desc whole = phaseLayout != null ? phaseLayout : OneDnn.plain(geometry.outShape());
      long[] interleavedStrides = {outChannels * 4 * h * w, 4 * h * w, 2 * 2 * w, 2};
      for (int a = 0; a < 2; a++) {
        for (int b = 0; b < 2; b++) {
          int phase = 2 * a + b;
          memory.desc phaseDesc = whole.submemory_desc(dims, new long[] {0, phase * outChannels, a, b});
          memory.desc interleavedDesc = new memory.desc(dims, memory.data_type.f32, interleavedStrides);
          phaseMemory[phase] = new memory(phaseDesc, OneDnn.engine(), new OneDnn.Address(0));
          interleavedMemory[phase] = new memory(interleavedDesc, OneDnn.engine(), new OneDnn.Address(0));
          interleavedOffsets[phase] = (a * 2 * w + b) * Float.BYTES;
          reorders[phase] = toInterleaved ? new reorder(phaseMemory[phase], interleavedMemory[phase])
              : new reorder(interleavedMemory[phase], phaseMemory[phase]);
        }
      }
    }

    /** Copies {@code from} into {@code to}: phases to interleaved, or the reverse. */
    void run(INDArray from, INDArray to) {
      INDArray phases = toInterleaved ? from : to;
      INDArray interleaved = toInterleaved ? to : from;
      long phaseAddress = OneDnn.address(phases);
      long interleavedAddress = OneDnn.address(interleaved);
      var stream = OneDnn.stream();
      for (int p = 0; p < 4; p++) {
        phaseMemory[p].set_data_handle(new OneDnn.Address(phaseAddress));
        interleavedMemory[p].set_data_handle(new OneDnn.Address(interleavedAddress + interleavedOffsets[p]));
        if (toInterleaved) {
          reorders[p].execute(stream, phaseMemory[p], interleavedMemory[p]);
        } else {
          reorders[p].execute(stream, interleavedMemory[p], phaseMemory[p]);
        }
      }
      stream._wait();
    }
  }
}
