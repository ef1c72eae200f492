package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * oneDNN's convolution (forward pass, input gradient, weight and bias gradients) equals a naive loop
 * in double precision.
 */
class OneDnnConvolutionTest {
  private static final LayerWorkspaceMgr NONE = LayerWorkspaceMgr.noWorkspaces();

  @Test
  void passesEqualANaiveLoop() {
    assertTrue(OneDnn.available(), "org.bytedeco:dnnl natives are on the test class path");
    // {in, out, h, w, kH, kW, stride, top pad, dilation}: W1's first layer (3x3 same), the frame
    // encoder's (4x4 stride 2, padding 1), a dilated one, a rectangular truncated one
    int[][] cases = {{1, 8, 10, 10, 3, 3, 1, 1, 1}, {1, 6, 12, 12, 4, 4, 2, 1, 1},
        {3, 5, 11, 9, 3, 3, 1, 2, 2}, {2, 4, 9, 11, 3, 2, 2, 0, 1}};
    Nd4j.getRandom().setSeed(21);
    OneDnnConvolution conv = new OneDnnConvolution();
    for (int[] c : cases) {
      int in = c[0];
      int out = c[1];
      int kh = c[4];
      int kw = c[5];
      int stride = c[6];
      int pad = c[7];
      int dil = c[8];
      int oh = (c[2] + 2 * pad - ((kh - 1) * dil + 1)) / stride + 1;
      int ow = (c[3] + 2 * pad - ((kw - 1) * dil + 1)) / stride + 1;
      INDArray x = Nd4j.rand(DataType.FLOAT, 3, in, c[2], c[3]).subi(0.5);
      INDArray delta = Nd4j.randn(DataType.FLOAT, 3, out, oh, ow);
      INDArray w = Nd4j.randn(DataType.FLOAT, out, in, kh, kw);
      INDArray bias = Nd4j.randn(DataType.FLOAT, 1, out);
      INDArray dw = Nd4j.create(DataType.FLOAT, out, in, kh, kw);
      INDArray db = Nd4j.create(DataType.FLOAT, 1, out);
      OneDnnConvolution.Geometry g = OneDnnConvolution.Geometry.of(x.shape(), delta.shape(), new int[] {kh, kw},
          new int[] {stride, stride}, new int[] {pad, pad}, new int[] {dil, dil}, true);
      assertNotNull(g, "a geometry for case " + java.util.Arrays.toString(c));
      INDArray y = conv.forward(g, x, w, bias, false, NONE);
      INDArray dx = conv.inputGradient(g, x, delta, w, NONE);
      conv.weightGradients(g, x, delta, dw, db, NONE);

      double[] x64 = x.data().asDouble();
      double[] d64 = delta.data().asDouble();
      double[] w64 = w.data().asDouble();
      double[] b64 = bias.data().asDouble();
      double[] expectedW = new double[out * in * kh * kw];
      double[] expectedB = new double[out];
      double[] expectedY = new double[3 * out * oh * ow];
      double[] expectedDx = new double[3 * in * c[2] * c[3]];
      for (int n = 0; n < 3; n++) {
        for (int o = 0; o < out; o++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              double d = d64[((n * out + o) * oh + i) * ow + j];
              expectedB[o] += d;
              expectedY[((n * out + o) * oh + i) * ow + j] += b64[o];
              for (int ci = 0; ci < in; ci++) {
                for (int a = 0; a < kh; a++) {
                  for (int b = 0; b < kw; b++) {
                    int r = i * stride - pad + a * dil;
                    int s = j * stride - pad + b * dil;
                    if (r >= 0 && s >= 0 && r < c[2] && s < c[3]) {
                      int xi = ((n * in + ci) * c[2] + r) * c[3] + s;
                      int wi = ((o * in + ci) * kh + a) * kw + b;
                      expectedW[wi] += d * x64[xi];
                      expectedY[((n * out + o) * oh + i) * ow + j] += w64[wi] * x64[xi];
                      expectedDx[xi] += w64[wi] * d;
                    }
                  }
                }
              }
            }
          }
        }
      }
      assertClose(expectedY, y.data().asDouble(), "forward " + java.util.Arrays.toString(c));
      assertClose(expectedDx, dx.data().asDouble(), "input gradient " + java.util.Arrays.toString(c));
      assertClose(expectedW, dw.data().asDouble(), "weights " + java.util.Arrays.toString(c));
      assertClose(expectedB, db.data().asDouble(), "bias " + java.util.Arrays.toString(c));
    }
  }

  @Test
  void declinesWhatItCannotTake() {
    assertFalse(OneDnnConvolution.takes(Nd4j.rand(DataType.DOUBLE, 2, 2, 6, 6)));
    INDArray wide = Nd4j.rand(DataType.FLOAT, 2, 2, 6, 12);
    assertFalse(OneDnnConvolution.takes(wide.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6))), "a strided view");
    assertTrue(OneDnnConvolution.takes(wide));
    // an output size no padding at the bottom can give (stride 1, top padding 1: 4 rows or more)
    assertNull(OneDnnConvolution.Geometry.of(new long[] {2, 2, 6, 6}, new long[] {2, 4, 3, 6}, new int[] {3, 3},
        new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, false));
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, scale), what + " [" + i + "]");
    }
  }
}
