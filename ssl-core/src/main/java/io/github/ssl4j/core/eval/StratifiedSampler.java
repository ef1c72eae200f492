package io.github.ssl4j.core.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Fixed-seed stratified subsets of labelled data, for few-label evaluation (for example 60
 * labelled images per class, or 1 % of the labels).
 *
 * <p>Both methods return indices into {@code data}, sorted ascending and without duplicates, so
 * that {@code data.subset(indices)} keeps the original order. The subset depends only on the
 * labels, the request and the seed: classes are visited in order 0, 1, ..., and each draws its
 * examples uniformly without replacement from one {@link SplittableRandom} seeded with
 * {@code seed}.
 *
 * <pre>{@code
 * int[] idx = StratifiedSampler.perClass(train, 60, 42L); // 600 indices for 10 classes
 * LabelledData few = train.subset(idx);
 * }</pre>
 */
public final class StratifiedSampler {
  private StratifiedSampler() {}

  /**
   * Exactly {@code perClass} examples of every class {@code 0 .. numClasses-1}.
   *
   * @param perClass examples per class, &gt;= 1
   * @return sorted indices, length {@code perClass * numClasses}
   * @throws IllegalArgumentException if a class has fewer than {@code perClass} examples
   */
  public static int[] perClass(LabelledData data, int perClass, long seed) {
    Objects.requireNonNull(data, "data");
    if (perClass < 1) {
      throw new IllegalArgumentException(
          "perClass must be >= 1, got " + perClass + "; ask for at least one example per class");
    }
    List<int[]> byClass = indicesByClass(data);
    int[] counts = new int[data.numClasses()];
    for (int c = 0; c < counts.length; c++) {
      int available = byClass.get(c).length;
      if (available < perClass) {
        throw new IllegalArgumentException(
            "class " + c + " has " + available + " examples, fewer than the " + perClass
                + " per class requested; lower perClass to at most " + minCount(byClass)
                + " or use fraction(...)");
      }
      counts[c] = perClass;
    }
    return draw(byClass, counts, seed);
  }

  /**
   * A fraction of every class: {@code max(1, round(fraction * n_c))} examples of each class c
   * that has {@code n_c > 0} examples in {@code data} (classes absent from {@code data} are
   * skipped). The total is therefore close to {@code fraction * data.size()} and every present
   * class has at least one example.
   *
   * @param fraction in (0, 1]
   * @return sorted indices
   */
  public static int[] fraction(LabelledData data, double fraction, long seed) {
    Objects.requireNonNull(data, "data");
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException(
          "fraction must be in (0, 1], got " + fraction + "; e.g. 0.01 for 1 % of the labels");
    }
    List<int[]> byClass = indicesByClass(data);
    int[] counts = new int[data.numClasses()];
    for (int c = 0; c < counts.length; c++) {
      int available = byClass.get(c).length;
      counts[c] =
          available == 0 ? 0 : (int) Math.max(1, Math.min(available, Math.round(fraction * available)));
    }
    return draw(byClass, counts, seed);
  }

  private static List<int[]> indicesByClass(LabelledData data) {
    int[] labels = data.labels();
    int[] sizes = new int[data.numClasses()];
    for (int label : labels) {
      sizes[label]++;
    }
    List<int[]> out = new ArrayList<>(sizes.length);
    for (int size : sizes) {
      out.add(new int[size]);
    }
    int[] fill = new int[sizes.length];
    for (int i = 0; i < labels.length; i++) {
      out.get(labels[i])[fill[labels[i]]++] = i;
    }
    return out;
  }

  private static int minCount(List<int[]> byClass) {
    int min = Integer.MAX_VALUE;
    for (int[] ids : byClass) {
      min = Math.min(min, ids.length);
    }
    return min;
  }

  private static int[] draw(List<int[]> byClass, int[] counts, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int total = Arrays.stream(counts).sum();
    int[] out = new int[total];
    int pos = 0;
    for (int c = 0; c < counts.length; c++) {
      int[] ids = byClass.get(c).clone();
      // Partial Fisher-Yates: the first counts[c] entries become a uniform sample.
      for (int i = 0; i < counts[c]; i++) {
        int j = i + rng.nextInt(ids.length - i);
        int t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
        out[pos++] = ids[i];
      }
    }
    Arrays.sort(out);
    return out;
  }
}
