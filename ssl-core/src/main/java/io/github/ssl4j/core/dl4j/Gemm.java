package io.github.ssl4j.core.dl4j;

import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products {@code c = alpha·op(a)·op(b) + beta·c} on oneDNN's single-precision GEMM, straight
 * on the arrays' buffers, for ssl4j's layers.
 *
 * <p>{@link Nd4j#gemm} hands views (an array with an offset, such as a parameter or gradient view,
 * or a block of rows) to a libnd4j operation that builds a oneDNN primitive on every call; this
 * calls {@code dnnl_sgemm}, which needs none. Rank-2 {@code FLOAT} arrays whose rows or columns are
 * contiguous ({@code c}- or {@code f}-ordered, views included) take this path; anything else, or
 * without oneDNN ({@link OneDnn#available()}), takes {@link Nd4j#gemm}. Results equal
 * {@link Nd4j#gemm}'s up to float summation order.
 */
public final class Gemm {
  private Gemm() {}

  /**
   * {@code c = alpha·op(a)·op(b) + beta·c}, where {@code op(x)} is {@code x} or its transpose.
   *
   * @param a {@code [m, k]} ({@code [k, m]} if {@code transposeA}), not null
   * @param b {@code [k, n]} ({@code [n, k]} if {@code transposeB}), not null
   * @param c {@code [m, n]}, written in place; must not overlap {@code a} or {@code b}
   * @throws IllegalArgumentException if the shapes do not match
   * @throws IllegalStateException if oneDNN reports an error
   */
  public static void gemm(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c,
      double alpha, double beta) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(c, "c");
    if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2) {
      throw new IllegalArgumentException("gemm needs matrices, got shapes " + Arrays.toString(a.shape())
          + ", " + Arrays.toString(b.shape()) + ", " + Arrays.toString(c.shape()));
    }
    long m = transposeA ? a.size(1) : a.size(0);
    long k = transposeA ? a.size(0) : a.size(1);
    long n = transposeB ? b.size(0) : b.size(1);
    long kb = transposeB ? b.size(1) : b.size(0);
    if (k != kb || c.size(0) != m || c.size(1) != n) {
      throw new IllegalArgumentException("gemm shapes do not match: op(a) " + m + "x" + k + ", op(b) " + kb
          + "x" + n + ", c " + Arrays.toString(c.shape()) + " (expected " + m + "x" + n + ")");
    }
    Operand ma = Operand.of(a);
    Operand mb = Operand.of(b);
    Operand mc = Operand.of(c);
    if (ma == null || mb == null || mc == null || !OneDnn.available()) {
      Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
      return;
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (mc.columnMajor) {
      // cᵀ = op(b)ᵀ · op(a)ᵀ, with cᵀ row-major
      call(mb, !transposeB, ma, !transposeA, mc, n, m, k, alpha, beta);
    } else {
      call(ma, transposeA, mb, transposeB, mc, m, n, k, alpha, beta);
    }
  }

  private static void call(Operand a, boolean transposeA, Operand b, boolean transposeB, Operand c,
      long m, long n, long k, double alpha, double beta) {
    // a column-major matrix is its transpose in row-major order
    boolean ta = transposeA != a.columnMajor;
    boolean tb = transposeB != b.columnMajor;
    int status = dnnl.dnnl_sgemm((byte) (ta ? 'T' : 'N'), (byte) (tb ? 'T' : 'N'), m, n, k, (float) alpha,
        a.pointer, a.leading, b.pointer, b.leading, (float) beta, c.pointer, c.leading);
    if (status != dnnl.dnnl_success) {
      throw new IllegalStateException("oneDNN sgemm failed with status " + status + " for " + m + "x" + k
          + " · " + k + "x" + n);
    }
  }

  /** A matrix as sgemm reads it: its first element, leading dimension, and whether column-major. */
  private static final class Operand {
    final FloatPointer pointer;
    final long leading;
    final boolean columnMajor;

    private Operand(INDArray x, long leading, boolean columnMajor) {
      this.pointer = new FloatPointer(new OneDnn.Address(OneDnn.address(x)));
      this.leading = leading;
      this.columnMajor = columnMajor;
    }

    /** @return the operand, or null if {@code x} is not FLOAT or has neither rows nor columns contiguous */
    static Operand of(INDArray x) {
      if (x.dataType() != DataType.FLOAT || x.isEmpty()) {
        return null;
      }
      long rows = x.size(0);
      long cols = x.size(1);
      long s0 = x.stride(0);
      long s1 = x.stride(1);
      if ((cols == 1 || s1 == 1) && (rows == 1 || s0 >= cols)) {
        return new Operand(x, rows == 1 ? Math.max(1, cols) : s0, false);
      }
      if ((rows == 1 || s0 == 1) && (cols == 1 || s1 >= rows)) {
        return new Operand(x, cols == 1 ? Math.max(1, rows) : s1, true);
      }
      return null;
    }
  }
}
