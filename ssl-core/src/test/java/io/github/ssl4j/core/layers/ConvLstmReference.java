package io.github.ssl4j.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A ConvLSTM forward pass in plain Java: double arrays, explicit zero-padded convolutions. */
final class ConvLstmReference {
  private ConvLstmReference() {}

  /**
   * @param x input [n][c*h*w][time]
   * @param wx [k, k, c, 4f]
   * @param wh [k, k, f, 4f]
   * @param b [4f], blocks i, f, o, g
   * @return hidden states [n][f*h*w][time]
   */
  static double[][][] forward(double[][][] x, int c, int h, int w, int f, int k, INDArray wx, INDArray wh, INDArray b) {
    int n = x.length;
    int steps = x[0][0].length;
    double[][][] out = new double[n][f * h * w][steps];
    for (int s = 0; s < n; s++) {
      double[][][] hidden = new double[f][h][w];
      double[][][] cell = new double[f][h][w];
      for (int t = 0; t < steps; t++) {
        double[][][] in = new double[c][h][w];
        for (int ch = 0; ch < c; ch++) {
          for (int r = 0; r < h; r++) {
            for (int col = 0; col < w; col++) {
              in[ch][r][col] = x[s][(ch * h + r) * w + col][t];
            }
          }
        }
        double[][][] gates = new double[4 * f][h][w];
        for (int o = 0; o < 4 * f; o++) {
          for (int r = 0; r < h; r++) {
            for (int col = 0; col < w; col++) {
              gates[o][r][col] = b.getDouble(o) + conv(in, wx, o, r, col, k) + conv(hidden, wh, o, r, col, k);
            }
          }
        }
        for (int j = 0; j < f; j++) {
          for (int r = 0; r < h; r++) {
            for (int col = 0; col < w; col++) {
              double i = sigmoid(gates[j][r][col]);
              double fg = sigmoid(gates[f + j][r][col]);
              double o = sigmoid(gates[2 * f + j][r][col]);
              double g = Math.tanh(gates[3 * f + j][r][col]);
              cell[j][r][col] = fg * cell[j][r][col] + i * g;
              hidden[j][r][col] = o * Math.tanh(cell[j][r][col]);
              out[s][(j * h + r) * w + col][t] = hidden[j][r][col];
            }
          }
        }
      }
    }
    return out;
  }

  /** Cross-correlation at one output position, 'same' zero padding; weights [k, k, in, out]. */
  private static double conv(double[][][] in, INDArray weights, int out, int r, int col, int k) {
    int pad = k / 2;
    double sum = 0;
    for (int ch = 0; ch < in.length; ch++) {
      for (int dy = 0; dy < k; dy++) {
        for (int dx = 0; dx < k; dx++) {
          int y = r + dy - pad;
          int xx = col + dx - pad;
          if (y >= 0 && y < in[0].length && xx >= 0 && xx < in[0][0].length) {
            sum += in[ch][y][xx] * weights.getDouble(dy, dx, ch, out);
          }
        }
      }
    }
    return sum;
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }
}
