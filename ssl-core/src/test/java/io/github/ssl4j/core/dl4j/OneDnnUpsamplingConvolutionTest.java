package io.github.ssl4j.core.dl4j;

import static io.github.ssl4j.core.testing.ArrayAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Upsampling by 2 then a 3×3 same convolution, computed on the input's 2×2 windows, against a
 * naive double-precision loop over the upsampled image (forward, weight, bias and input gradients).
 */
class OneDnnUpsamplingConvolutionTest {
  private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

  @BeforeEach
  void needsOneDnn() {
    assumeTrue(OneDnn.available(), "oneDNN natives not on the class path");
  }

  @ParameterizedTest(name = "batch {0}, {1} -> {2} channels, {3}x{4}, bias {5}, training step {6}")
  @CsvSource({
      "2, 3, 4, 4, 5, true, false",
      "1, 5, 1, 3, 3, false, false",
      "3, 16, 32, 5, 4, true, true", // channels that fill oneDNN's blocks: phases stay blocked
      "2, 7, 5, 2, 6, true, true",
      "2, 3, 8, 3, 3, true, true", // four phases fill whole blocks, but a phase starts mid-block
  })
  void matchesUpsamplingThenConvolving(int batch, int in, int out, int h, int w, boolean bias, boolean step) {
    Nd4j.getRandom().setSeed(11 + in * out);
    INDArray x = Nd4j.rand(DataType.FLOAT, batch, in, h, w).subi(0.5);
    INDArray weights = Nd4j.rand(DataType.FLOAT, out, in, 3, 3).subi(0.5);
    INDArray b = bias ? Nd4j.rand(DataType.FLOAT, out).subi(0.5) : null;
    INDArray delta = Nd4j.rand(DataType.FLOAT, batch, out, 2 * h, 2 * w).subi(0.5);
    Reference ref = new Reference(x, weights, b, delta);

    OneDnnUpsamplingConvolution layer = new OneDnnUpsamplingConvolution();
    INDArray weightGrad = Nd4j.create(DataType.FLOAT, out, in, 3, 3);
    INDArray biasGrad = bias ? Nd4j.create(DataType.FLOAT, out) : null;
    INDArray[] results = new INDArray[2];
    Runnable run = () -> {
      results[0] = layer.forward(x, weights, b, NO_WORKSPACES).dup();
      results[1] = layer.backward(x, delta, weights, weightGrad, biasGrad, true, NO_WORKSPACES).dup();
    };
    if (step) {
      OneDnnLayouts.during(run);
    } else {
      run.run();
    }
    assertClose(ref.output, results[0].castTo(DataType.DOUBLE), 1e-5);
    assertClose(ref.inputGrad, results[1].castTo(DataType.DOUBLE), 1e-5);
    assertClose(ref.weightGrad, weightGrad.castTo(DataType.DOUBLE), 1e-5);
    if (bias) {
      assertClose(ref.biasGrad, biasGrad.castTo(DataType.DOUBLE), 1e-5);
    }
  }

  @Test
  void secondCallWithAnotherShapeAndNoInputGradient() {
    OneDnnUpsamplingConvolution layer = new OneDnnUpsamplingConvolution();
    for (int h : new int[] {3, 6}) {
      Nd4j.getRandom().setSeed(h);
      INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, h, h);
      INDArray weights = Nd4j.rand(DataType.FLOAT, 3, 4, 3, 3);
      INDArray delta = Nd4j.rand(DataType.FLOAT, 2, 3, 2 * h, 2 * h);
      Reference ref = new Reference(x, weights, null, delta);
      assertClose(ref.output, layer.forward(x, weights, null, NO_WORKSPACES).castTo(DataType.DOUBLE), 1e-5);
      INDArray weightGrad = Nd4j.create(DataType.FLOAT, 3, 4, 3, 3);
      assertNull(layer.backward(x, delta, weights, weightGrad, null, false, NO_WORKSPACES));
      assertClose(ref.weightGrad, weightGrad.castTo(DataType.DOUBLE), 1e-5);
    }
  }

  @Test
  void rejectsWhatItCannotCompute() {
    OneDnnUpsamplingConvolution layer = new OneDnnUpsamplingConvolution();
    INDArray x = Nd4j.rand(DataType.FLOAT, 1, 2, 3, 3);
    assertThrows(IllegalArgumentException.class,
        () -> layer.forward(x, Nd4j.rand(DataType.FLOAT, 4, 2, 5, 5), null, NO_WORKSPACES));
    assertThrows(IllegalArgumentException.class,
        () -> layer.forward(x, Nd4j.rand(DataType.FLOAT, 4, 3, 3, 3), null, NO_WORKSPACES));
    assertThrows(IllegalArgumentException.class,
        () -> layer.forward(x.castTo(DataType.DOUBLE), Nd4j.rand(DataType.FLOAT, 4, 2, 3, 3), null, NO_WORKSPACES));
  }

  /** Nearest upsampling by 2, then a 3×3 convolution with padding 1, in naive double loops. */
  private static final class Reference {
    final INDArray output;
    final INDArray inputGrad;
    final INDArray weightGrad;
    final INDArray biasGrad;

    Reference(INDArray x, INDArray weights, INDArray bias, INDArray delta) {
      int n = (int) x.size(0);
      int in = (int) x.size(1);
      int h = (int) x.size(2);
      int w = (int) x.size(3);
      int out = (int) weights.size(0);
      double[][][][] y = new double[n][out][2 * h][2 * w];
      double[][][][] dx = new double[n][in][h][w];
      double[][][][] dw = new double[out][in][3][3];
      double[] db = new double[out];
      for (int s = 0; s < n; s++) {
        for (int o = 0; o < out; o++) {
          for (int r = 0; r < 2 * h; r++) {
            for (int q = 0; q < 2 * w; q++) {
              double d = delta.getDouble(s, o, r, q);
              double sum = bias == null ? 0 : bias.getDouble(o);
              db[o] += d;
              for (int c = 0; c < in; c++) {
                for (int ky = 0; ky < 3; ky++) {
                  for (int kx = 0; kx < 3; kx++) {
                    int ur = r + ky - 1;
                    int uq = q + kx - 1;
                    if (ur < 0 || uq < 0 || ur >= 2 * h || uq >= 2 * w) {
                      continue;
                    }
                    double u = x.getDouble(s, c, ur / 2, uq / 2);
                    double k = weights.getDouble(o, c, ky, kx);
                    sum += k * u;
                    dw[o][c][ky][kx] += d * u;
                    dx[s][c][ur / 2][uq / 2] += d * k;
                  }
                }
              }
              y[s][o][r][q] = sum;
            }
          }
        }
      }
      output = Nd4j.create(y);
      inputGrad = Nd4j.create(dx);
      weightGrad = Nd4j.create(dw);
      biasGrad = Nd4j.createFromArray(db);
    }
  }
}
