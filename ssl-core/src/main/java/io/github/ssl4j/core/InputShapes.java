package io.github.ssl4j.core;

import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Checks that an array fits a DL4J {@link InputType} before it reaches the network, so that a
 * shape mistake is reported with the vertex name and both shapes instead of deep inside a layer.
 */
public final class InputShapes {
  private InputShapes() {}

  /**
   * The expected shape of a batch for {@code type}; -1 marks a free dimension (batch size, and the
   * time length of recurrent input when the type leaves it unspecified).
   *
   * @throws IllegalArgumentException for input types this helper does not know
   */
  public static long[] expectedShape(InputType type) {
    Objects.requireNonNull(type, "type");
    if (type instanceof InputType.InputTypeFeedForward ff) {
      return new long[] {-1, ff.getSize()};
    }
    if (type instanceof InputType.InputTypeConvolutionalFlat flat) {
      return new long[] {-1, flat.getFlattenedSize()};
    }
    if (type instanceof InputType.InputTypeConvolutional cnn) {
      return cnn.getFormat() == CNN2DFormat.NHWC
          ? new long[] {-1, cnn.getHeight(), cnn.getWidth(), cnn.getChannels()}
          : new long[] {-1, cnn.getChannels(), cnn.getHeight(), cnn.getWidth()};
    }
    if (type instanceof InputType.InputTypeRecurrent rnn) {
      long t = rnn.getTimeSeriesLength() > 0 ? rnn.getTimeSeriesLength() : -1;
      return rnn.getFormat() == RNNFormat.NWC
          ? new long[] {-1, t, rnn.getSize()}
          : new long[] {-1, rnn.getSize(), t};
    }
    if (type instanceof InputType.InputTypeConvolutional3D c3) {
      return c3.getDataFormat() == org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.NDHWC
          ? new long[] {-1, c3.getDepth(), c3.getHeight(), c3.getWidth(), c3.getChannels()}
          : new long[] {-1, c3.getChannels(), c3.getDepth(), c3.getHeight(), c3.getWidth()};
    }
    throw new IllegalArgumentException("Unsupported input type " + type
        + "; expected feed-forward, convolutional(-flat), convolutional 3D or recurrent");
  }

  /**
   * Checks {@code actual} against {@code expected}.
   *
   * @param expected the input type declared by the graph (or encoder)
   * @param actual a batch, shape [batch, ...]
   * @param vertexName name of the graph input (or vertex) the array is fed to; used in the message
   * @throws IllegalArgumentException naming the vertex, the expected and the actual shape and a
   *     likely fix, if rank or any fixed dimension differs
   */
  public static void check(InputType expected, INDArray actual, String vertexName) {
    Objects.requireNonNull(actual, "actual");
    long[] want = expectedShape(expected);
    long[] got = actual.shape();
    boolean ok = want.length == got.length;
    for (int i = 0; ok && i < want.length; i++) {
      ok = want[i] < 0 || want[i] == got[i];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "Input '" + vertexName + "' expects " + expected + ", i.e. shape " + describe(want)
              + ", but the batch has shape " + Arrays.toString(got) + ". " + hint(want, got));
    }
  }

  private static String describe(long[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i > 0 ? ", " : "").append(shape[i] < 0 ? (i == 0 ? "batch" : "any") : shape[i]);
    }
    return sb.append(']').toString();
  }

  private static String hint(long[] want, long[] got) {
    long wantCount = 1;
    long gotCount = 1;
    for (int i = 1; i < want.length; i++) {
      wantCount *= Math.max(want[i], 1);
    }
    for (int i = 1; i < got.length; i++) {
      gotCount *= got[i];
    }
    if (want.length != got.length && wantCount == gotCount) {
      return "Same number of values per example but a different rank: reshape each batch to "
          + describe(want) + " in the data source or the task's prepare().";
    }
    return "Make the data source / task deliver examples of that shape, or use an encoder whose "
        + "inputType() matches the data.";
  }
  /**
   * The first row (index along dimension 0) of {@code x} holding a NaN or infinite value.
   *
   * @param x shape [n, ...]; integer arrays have no such row
   * @return the 0-based row, or -1 if every value is finite
   */
  public static long firstNonFiniteRow(INDArray x) {
    Objects.requireNonNull(x, "x");
    if (!x.dataType().isFPType() || x.isEmpty() || !BooleanIndexing.or(x, Conditions.notFinite())) {
      return -1;
    }
    double[] values = x.dup('c').reshape(x.length()).toDoubleVector();
    long perRow = x.rank() == 0 ? 1 : Math.max(1, x.length() / Math.max(1, x.size(0)));
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        return i / perRow;
      }
    }
    return -1;
  }

  /**
   * Checks that every value of {@code x} is finite: NaN and infinity are refused where they enter
   * rather than coming out of a network as NaN or infinite representations.
   *
   * @param x shape [n, ...]
   * @param what how the message names {@code x}, e.g. {@code "the input of embed"}
   * @throws IllegalArgumentException naming the first row holding NaN or infinity and its value
   */
  public static void checkFinite(INDArray x, String what) {
    long row = firstNonFiniteRow(x);
    if (row >= 0) {
      throw new IllegalArgumentException(
          what + " holds a non-finite value (" + firstNonFinite(x.rank() == 0 ? x : x.slice(row))
              + ") in row " + row + " of " + (x.rank() == 0 ? 1 : x.size(0)) + "; expected finite numbers only. Remove or"
              + " impute the row (e.g. replace NaN pixels by 0) before passing it");
    }
  }

  private static double firstNonFinite(INDArray row) {
    for (double v : row.dup('c').reshape(row.length()).toDoubleVector()) {
      if (!Double.isFinite(v)) {
        return v;
      }
    }
    return Double.NaN;
  }
}
