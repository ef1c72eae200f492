package io.github.ssl4j.core.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Label-efficiency protocol: for each label budget, draw a stratified subset of the training set,
 * train a "pretrained" and a "scratch" classifier on that same subset, and score both on the full
 * test set (accuracy and macro-F1), side by side.
 *
 * <p>With {@link Builder#repeats(int) repeats(n)} this is done n times per budget, repeat r with
 * seed {@code seed + r} for both the subset and the trainers ({@link ClassifierTrainer#train(
 * LabelledData, long)}), and each row reports the mean and standard deviation over the repeats.
 * Few-label results swing by several points from one subset and initialisation to the next, so a
 * single repeat cannot tell a small difference from noise.
 *
 * <p>The subset for a budget depends only on the training labels, the budget and the seed (see
 * {@link StratifiedSampler}), so runs with different trainers are comparable. The trainers decide
 * everything else (architecture, epochs, their own seeds); typically "pretrained" fine-tunes or
 * probes a pretrained encoder and "scratch" trains the same network from a random
 * initialisation. Each trainer's classifier receives the whole test feature array in one
 * {@link Classifier#predict} call.
 *
 * <pre>{@code
 * FewLabelProtocol protocol = FewLabelProtocol.builder(
 *         List.of(LabelBudget.perClass(60), LabelBudget.fraction(0.1)), 42L)
 *     .build();
 * FewLabelProtocol.Report report = protocol.run(train, test,
 *     subset -> fineTune(pretrainedEncoder, subset),
 *     subset -> fineTune(randomEncoder, subset));
 * System.out.println(report.toTable());
 * }</pre>
 */
public final class FewLabelProtocol {

  private final List<LabelBudget> budgets;
  private final long seed;
  private final int repeats;

  private FewLabelProtocol(List<LabelBudget> budgets, long seed, int repeats) {
    this.budgets = budgets;
    this.seed = seed;
    this.repeats = repeats;
  }

  /**
   * A builder for the given budgets (in report order) and subset seed.
   *
   * @param budgets at least one budget, e.g. {@code LabelBudget.perClass(60)}
   * @param seed seed of the stratified subsets
   */
  public static Builder builder(List<LabelBudget> budgets, long seed) {
    return new Builder(budgets, seed);
  }

  /** The budgets, in report order (unmodifiable). */
  public List<LabelBudget> budgets() {
    return budgets;
  }

  /** Seed of the stratified subsets (of the first repeat; repeat r uses {@code seed + r}). */
  public long seed() {
    return seed;
  }

  /** Subsets (and trainings) per budget. */
  public int repeats() {
    return repeats;
  }

  /**
   * The seed of repeat {@code r}, for its subset ({@code budget.select(train, repeatSeed(r))}) and
   * its trainers: {@code seed + r}.
   */
  public long repeatSeed(int r) {
    return seed + r;
  }

  /**
   * Runs the protocol.
   *
   * @param train labelled pool the subsets are drawn from; features shape [n, ...]
   * @param test evaluation set; features shape [m, ...], same number of classes
   * @param pretrained trainer reported as "pretrained"
   * @param scratch trainer reported as "scratch"
   * @return one row per budget, in budget order
   */
  public Report run(LabelledData train, LabelledData test, ClassifierTrainer pretrained,
      ClassifierTrainer scratch) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(pretrained, "pretrained");
    Objects.requireNonNull(scratch, "scratch");
    if (train.numClasses() != test.numClasses()) {
      throw new IllegalArgumentException(
          "train has " + train.numClasses() + " classes but test has " + test.numClasses()
              + "; build both LabelledData with the same numClasses");
    }
    List<Row> rows = new ArrayList<>();
    for (LabelBudget budget : budgets) {
      List<Score> p = new ArrayList<>();
      List<Score> s = new ArrayList<>();
      int size = 0;
      for (int r = 0; r < repeats; r++) {
        long repeatSeed = repeatSeed(r);
        int[] indices = budget.select(train, repeatSeed);
        LabelledData subset = train.subset(indices);
        size = indices.length;
        p.add(score("pretrained", pretrained, subset, test, repeatSeed));
        s.add(score("scratch", scratch, subset, test, repeatSeed));
      }
      rows.add(new Row(budget, size, p, s));
    }
    return new Report(seed, train.size(), test.size(), rows);
  }

  private static Score score(String name, ClassifierTrainer trainer, LabelledData subset,
      LabelledData test, long seed) {
    Classifier classifier = trainer.train(subset, seed);
    if (classifier == null) {
      throw new IllegalStateException(
          "the " + name + " trainer returned null instead of a Classifier");
    }
    int[] predicted = classifier.predict(test.features());
    if (predicted == null || predicted.length != test.size()) {
      throw new IllegalStateException(
          "the " + name + " classifier returned " + (predicted == null ? "null" : predicted.length
              + " predictions") + " for " + test.size()
              + " test examples; predict must return one class per example");
    }
    return new Score(
        Metrics.accuracy(test.labels(), predicted),
        Metrics.macroF1(test.labels(), predicted, test.numClasses()));
  }

  /**
   * Test-set scores of one classifier.
   *
   * @param accuracy in [0, 1]
   * @param macroF1 in [0, 1], see {@link Metrics#macroF1}
   */
  public record Score(double accuracy, double macroF1) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("accuracy", accuracy);
      m.put("macroF1", macroF1);
      return m;
    }
  }

  /**
   * Result for one budget.
   *
   * @param budget the label budget
   * @param subsetSize number of labelled training examples used (in each repeat)
   * @param pretrainedRuns scores of the "pretrained" trainer, one per repeat
   * @param scratchRuns scores of the "scratch" trainer, one per repeat
   */
  public record Row(LabelBudget budget, int subsetSize, List<Score> pretrainedRuns, List<Score> scratchRuns) {

    /** Copies the lists into unmodifiable ones. */
    public Row {
      pretrainedRuns = List.copyOf(Objects.requireNonNull(pretrainedRuns, "pretrainedRuns"));
      scratchRuns = List.copyOf(Objects.requireNonNull(scratchRuns, "scratchRuns"));
    }

    /** Mean scores of the "pretrained" trainer over the repeats. */
    public Score pretrained() {
      return mean(pretrainedRuns);
    }

    /** Mean scores of the "scratch" trainer over the repeats. */
    public Score scratch() {
      return mean(scratchRuns);
    }

    /** Sample standard deviations of the "pretrained" scores (0 for one repeat). */
    public Score pretrainedSd() {
      return sd(pretrainedRuns);
    }

    /** Sample standard deviations of the "scratch" scores (0 for one repeat). */
    public Score scratchSd() {
      return sd(scratchRuns);
    }

    private static Score mean(List<Score> runs) {
      double a = 0;
      double f = 0;
      for (Score s : runs) {
        a += s.accuracy();
        f += s.macroF1();
      }
      return new Score(a / runs.size(), f / runs.size());
    }

    private static Score sd(List<Score> runs) {
      if (runs.size() < 2) {
        return new Score(0, 0);
      }
      Score m = mean(runs);
      double a = 0;
      double f = 0;
      for (Score s : runs) {
        a += (s.accuracy() - m.accuracy()) * (s.accuracy() - m.accuracy());
        f += (s.macroF1() - m.macroF1()) * (s.macroF1() - m.macroF1());
      }
      return new Score(Math.sqrt(a / (runs.size() - 1)), Math.sqrt(f / (runs.size() - 1)));
    }
  }

  /**
   * Results of a run.
   *
   * @param seed seed of the first repeat's subsets
   * @param trainSize size of the pool the subsets were drawn from
   * @param testSize size of the test set
   * @param rows one row per budget, in budget order
   */
  public record Report(long seed, int trainSize, int testSize, List<Row> rows) {

    /** Copies the rows into an unmodifiable list. */
    public Report {
      rows = List.copyOf(Objects.requireNonNull(rows, "rows"));
    }

    /**
     * Aligned text table, one line per budget, accuracy and macro-F1 in percent (means over the
     * repeats, then the accuracies' standard deviation when there are several), for example:
     *
     * <pre>
     * budget     labels  pretrained acc  pretrained F1  scratch acc  scratch F1
     * 60/class      600           81.23          81.01        60.12       59.87
     * </pre>
     */
    public String toTable() {
      String[] header = {"budget", "labels", "pretrained acc", "pretrained F1", "scratch acc",
          "scratch F1"};
      List<String[]> lines = new ArrayList<>();
      lines.add(header);
      for (Row r : rows) {
        lines.add(new String[] {
            r.budget().label(),
            Integer.toString(r.subsetSize()),
            percent(r.pretrained().accuracy()) + spread(r.pretrainedRuns().size(), r.pretrainedSd()),
            percent(r.pretrained().macroF1()),
            percent(r.scratch().accuracy()) + spread(r.scratchRuns().size(), r.scratchSd()),
            percent(r.scratch().macroF1())});
      }
      int[] width = new int[header.length];
      for (String[] line : lines) {
        for (int c = 0; c < line.length; c++) {
          width[c] = Math.max(width[c], line[c].length());
        }
      }
      StringBuilder sb = new StringBuilder();
      for (String[] line : lines) {
        for (int c = 0; c < line.length; c++) {
          if (c == 0) {
            sb.append(String.format(Locale.ROOT, "%-" + width[c] + "s", line[c]));
          } else {
            sb.append("  ").append(String.format(Locale.ROOT, "%" + width[c] + "s", line[c]));
          }
        }
        sb.append('\n');
      }
      return sb.toString();
    }

    /**
     * JSON-ready nested maps and lists (keys in a fixed order; values are strings, numbers,
     * maps and lists): {@code {seed, trainSize, testSize, rows: [{budget, subsetSize,
     * pretrained: {accuracy, macroF1}, scratch: {accuracy, macroF1}, pretrainedRuns: [...],
     * scratchRuns: [...]}]}}, where pretrained and scratch are the means over the repeats;
     * accuracies are fractions in [0, 1].
     */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("seed", seed);
      m.put("trainSize", trainSize);
      m.put("testSize", testSize);
      List<Object> list = new ArrayList<>();
      for (Row r : rows) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("budget", r.budget().label());
        row.put("subsetSize", r.subsetSize());
        row.put("pretrained", r.pretrained().toMap());
        row.put("scratch", r.scratch().toMap());
        row.put("pretrainedRuns", r.pretrainedRuns().stream().map(Score::toMap).toList());
        row.put("scratchRuns", r.scratchRuns().stream().map(Score::toMap).toList());
        list.add(row);
      }
      m.put("rows", list);
      return m;
    }

    private static String spread(int runs, Score sd) {
      return runs < 2 ? "" : " ± " + percent(sd.accuracy());
    }

    private static String percent(double v) {
      return String.format(Locale.ROOT, "%.2f", 100 * v);
    }
  }

  /** Builder of {@link FewLabelProtocol}. */
  public static final class Builder {
    private final List<LabelBudget> budgets;
    private final long seed;
    private int repeats = 1;

    private Builder(List<LabelBudget> budgets, long seed) {
      Objects.requireNonNull(budgets, "budgets");
      this.budgets = List.copyOf(budgets);
      this.seed = seed;
    }

    /**
     * Subsets (and trainings) per budget, repeat r with seed {@code seed + r}; default 1.
     *
     * @param repeats &gt;= 1
     */
    public Builder repeats(int repeats) {
      this.repeats = repeats;
      return this;
    }

    /** Validates and builds. */
    public FewLabelProtocol build() {
      if (budgets.isEmpty()) {
        throw new IllegalArgumentException(
            "budgets is empty; give at least one, e.g. List.of(LabelBudget.perClass(60))");
      }
      if (repeats < 1) {
        throw new IllegalArgumentException(
            "repeats must be >= 1 (subsets and trainings per budget), got " + repeats
                + "; use 1 for a single subset, 3 to 5 to average out few-label noise");
      }
      return new FewLabelProtocol(budgets, seed, repeats);
    }
  }
}
