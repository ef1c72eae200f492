package io.github.ssl4j.core.eval;

/**
 * How many labels a few-label run may use: a fixed count per class or a fraction of each class.
 * Subsets are drawn with {@link StratifiedSampler}.
 */
public sealed interface LabelBudget {

  /**
   * Exactly {@code count} examples of every class.
   *
   * @param count examples per class, &gt;= 1
   */
  static LabelBudget perClass(int count) {
    return new PerClass(count);
  }

  /**
   * {@code max(1, round(fraction * n_c))} examples of every class c present.
   *
   * @param fraction in (0, 1]
   */
  static LabelBudget fraction(double fraction) {
    return new Fraction(fraction);
  }

  /**
   * Indices of the subset for this budget, sorted ascending.
   *
   * @param data the labelled pool to draw from
   * @param seed the seed of the draw
   */
  int[] select(LabelledData data, long seed);

  /** Short human-readable name, e.g. "60/class" or "1%". */
  String label();

  /** Fixed number of examples per class. */
  record PerClass(int count) implements LabelBudget {
    /** Validates the count. */
    public PerClass {
      if (count < 1) {
        throw new IllegalArgumentException(
            "a per-class budget must be >= 1, got " + count + "; e.g. LabelBudget.perClass(60)");
      }
    }

    @Override
    public int[] select(LabelledData data, long seed) {
      return StratifiedSampler.perClass(data, count, seed);
    }

    @Override
    public String label() {
      return count + "/class";
    }
  }

  /** Fraction of every class. */
  record Fraction(double fraction) implements LabelBudget {
    /** Validates the fraction. */
    public Fraction {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "a fraction budget must be in (0, 1], got " + fraction
                + "; e.g. LabelBudget.fraction(0.01) for 1 % of the labels");
      }
    }

    @Override
    public int[] select(LabelledData data, long seed) {
      return StratifiedSampler.fraction(data, fraction, seed);
    }

    @Override
    public String label() {
      return (float) (fraction * 100) + "%";
    }
  }
}
