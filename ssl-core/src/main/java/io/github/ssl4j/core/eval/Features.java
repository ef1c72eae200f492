package io.github.ssl4j.core.eval;

import io.github.ssl4j.core.InputShapes;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Row helpers shared by the evaluators (package-private). */
final class Features {
  private Features() {}

  /**
   * Flattens every example to a vector.
   *
   * @param x shape [n, ...]
   * @return shape [n, d] with d the product of the trailing dimensions (a view when possible)
   */
  static INDArray flatten(INDArray x, String what) {
    if (x.rank() < 2) {
      throw new IllegalArgumentException(
          what + " must have shape [n, ...] with rank >= 2, got shape "
              + Arrays.toString(x.shape()) + "; reshape a single example to [1, d]");
    }
    if (x.rank() == 2) {
      return x;
    }
    long n = x.size(0);
    return x.reshape('c', n, x.length() / n);
  }

  /** Floating-point type to compute in: the array's own if floating, FLOAT otherwise. */
  static DataType computeType(INDArray x) {
    DataType t = x.dataType();
    return t == DataType.DOUBLE || t == DataType.FLOAT ? t : DataType.FLOAT;
  }
  /** Largest per-dimension spread, relative to the largest |mean|, that counts as collapsed. */
  static final double COLLAPSED_SPREAD = 1e-6;

  /** Fewer examples than this are not checked for collapse (a few equal rows may be deliberate). */
  static final int COLLAPSE_MIN_EXAMPLES = 10;

  /**
   * Refuses features an evaluation cannot mean anything on: NaN or infinite values, or collapsed
   * representations (at least {@value #COLLAPSE_MIN_EXAMPLES} rows and every dimension's standard
   * deviation across the rows at most {@link #COLLAPSED_SPREAD} times the largest |mean|, e.g.
   * every row alike).
   *
   * @param x shape [n, d]
   * @param what how the message names {@code x}, e.g. {@code "train features"}
   * @throws IllegalArgumentException naming the row with NaN/infinity, or the spread found
   */
  static void checkUsable(INDArray x, String what) {
    InputShapes.checkFinite(x, what);
    long n = x.size(0);
    if (n < COLLAPSE_MIN_EXAMPLES) {
      return;
    }
    INDArray d = x.castTo(DataType.DOUBLE);
    double maxStd = d.std(false, 0).maxNumber().doubleValue();
    double maxMean = Transforms.abs(d.mean(0), false).maxNumber().doubleValue();
    if (maxStd == 0 || maxStd <= COLLAPSED_SPREAD * maxMean) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s have collapsed: across the %d examples every one of the %d dimensions has a standard"
              + " deviation of at most %.3g (largest |mean| %.3g); expected a spread above %.0e of"
              + " the mean. Every example gets the same representation, so no classifier can tell"
              + " them apart. The encoder probably collapsed in pretraining: train again with a"
              + " lower learning rate (the trainer stops such runs, see DivergenceLimits)",
          what, n, d.size(1), maxStd, maxMean, COLLAPSED_SPREAD));
    }
  }
}
