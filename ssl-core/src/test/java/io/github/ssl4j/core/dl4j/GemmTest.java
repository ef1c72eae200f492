package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** oneDNN's sgemm on ND4J arrays and views against a naive double loop. */
class GemmTest {

  /** op(x)[i][j]. */
  private static double at(INDArray x, boolean t, long i, long j) {
    return t ? x.getDouble(j, i) : x.getDouble(i, j);
  }

  private static void check(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c, double alpha, double beta) {
    long m = c.size(0);
    long n = c.size(1);
    long k = ta ? a.size(0) : a.size(1);
    double[][] expected = new double[(int) m][(int) n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += at(a, ta, i, p) * at(b, tb, p, j);
        }
        expected[i][j] = alpha * s + beta * c.getDouble(i, j);
      }
    }
    INDArray before = c.dup();
    Gemm.gemm(a, ta, b, tb, c, alpha, beta);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        assertEquals(expected[i][j], c.getDouble(i, j), 1e-4 * (1 + Math.abs(expected[i][j])),
            "c[" + i + "][" + j + "] (was " + before.getDouble(i, j) + ")");
      }
    }
  }

  private static INDArray rand(char order, long... shape) {
    return Nd4j.rand(DataType.FLOAT, shape).subi(0.5).dup(order);
  }

  @Test
  void everyLayoutAndTransposeOfContiguousArrays() {
    assumeTrue(OneDnn.available(), "oneDNN natives not loaded");
    Nd4j.getRandom().setSeed(1);
    for (char oa : new char[] {'c', 'f'}) {
      for (char ob : new char[] {'c', 'f'}) {
        for (char oc : new char[] {'c', 'f'}) {
          for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
              INDArray a = ta ? rand(oa, 7, 5) : rand(oa, 5, 7);
              INDArray b = tb ? rand(ob, 3, 7) : rand(ob, 7, 3);
              check(a, ta, b, tb, rand(oc, 5, 3), 1.0, 0.0);
              check(a, ta, b, tb, rand(oc, 5, 3), 0.5, 1.0);
            }
          }
        }
      }
    }
  }

  @Test
  void viewsWithOffsetsAndStridedRows() {
    assumeTrue(OneDnn.available(), "oneDNN natives not loaded");
    Nd4j.getRandom().setSeed(2);
    INDArray big = rand('c', 12, 9);
    INDArray rowsBlock = big.get(NDArrayIndex.interval(4, 8), NDArrayIndex.all()); // offset, contiguous
    INDArray columns = big.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 6)); // row stride 9
    INDArray fBig = rand('f', 10, 8);
    INDArray fColumns = fBig.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 7)); // offset, column stride 10
    check(rowsBlock, false, rand('c', 9, 4), false, rand('c', 4, 4), 1.0, 0.0);
    check(columns, true, rand('f', 12, 5), false, rand('c', 4, 5), 1.0, 1.0);
    INDArray out = rand('c', 10, 6);
    check(fColumns, false, rand('c', 4, 3), false, out.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4)), 2.0, 1.0);
    check(rand('c', 1, 6), false, rand('c', 6, 1), false, rand('c', 1, 1), 1.0, 0.0);
  }

  @Test
  void doubleArraysTakeNd4jsPath() {
    INDArray a = Nd4j.rand(DataType.DOUBLE, 4, 3);
    INDArray b = Nd4j.rand(DataType.DOUBLE, 3, 2);
    INDArray c = Nd4j.create(DataType.DOUBLE, 4, 2);
    Gemm.gemm(a, false, b, false, c, 1.0, 0.0);
    assertEquals(a.mmul(b), c);
  }

  @Test
  void mismatchedShapesAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gemm.gemm(
        Nd4j.rand(DataType.FLOAT, 4, 3), false, Nd4j.rand(DataType.FLOAT, 4, 2), false,
        Nd4j.create(DataType.FLOAT, 4, 2), 1.0, 0.0));
    assertEquals(true, e.getMessage().contains("op(a) 4x3, op(b) 4x2"), e.getMessage());
  }
}
