package io.github.ssl4j.core.text;

import io.github.ssl4j.core.train.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A random train/test split of whole items (e.g. whole documents, so no document has windows in
 * both parts): {@code perm = permutation(n, seed); cut = floor(fraction * n); train = perm[:cut],
 * test = perm[cut:]}. The permutation is {@link Permutation#SEEDED_SHUFFLE} unless another is
 * given, e.g. one that reproduces another framework's split.
 *
 * <pre>{@code
 * TrainTestSplit<Document> split = TrainTestSplit.of(documents, 0.8, 0);  // 80 / 20, seed 0
 * List<Document> train = split.train();
 * }</pre>
 *
 * @param train the training items, in permutation order (immutable)
 * @param test the test items, in permutation order (immutable)
 * @param trainIndices indices of the training items in the input list, in permutation order
 * @param testIndices indices of the test items in the input list, in permutation order
 * @param <T> item type
 */
public record TrainTestSplit<T>(List<T> train, List<T> test, int[] trainIndices, int[] testIndices) {

  /** Copies the lists and arrays so the split is immutable. */
  public TrainTestSplit {
    train = List.copyOf(Objects.requireNonNull(train, "train"));
    test = List.copyOf(Objects.requireNonNull(test, "test"));
    trainIndices = Objects.requireNonNull(trainIndices, "trainIndices").clone();
    testIndices = Objects.requireNonNull(testIndices, "testIndices").clone();
  }

  /** The order in which items are dealt to the two parts. */
  @FunctionalInterface
  public interface Permutation {
    /**
     * A seeded shuffle of the indices: {@link Collections#shuffle(List, Random)} with a {@link
     * Random} seeded by {@code Seeds.mix(seed, "split", 0)}.
     */
    Permutation SEEDED_SHUFFLE = (n, seed) -> {
      List<Integer> idx = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        idx.add(i);
      }
      Collections.shuffle(idx, new Random(Seeds.mix(seed, "split", 0)));
      return idx.stream().mapToInt(Integer::intValue).toArray();
    };

    /**
     * A permutation of {@code 0 .. n-1}, the same for the same {@code (n, seed)}.
     *
     * @param n number of items, &gt;= 0
     * @param seed seed, &gt;= 0
     */
    int[] permutation(int n, long seed);
  }

  /**
   * Splits {@code items} in the order of {@link Permutation#SEEDED_SHUFFLE}.
   *
   * @param trainFraction fraction in the training part, in (0, 1); the training part gets {@code
   *     floor(trainFraction * n)} items
   * @param seed seed, &gt;= 0
   * @throws IllegalArgumentException if the fraction or seed is out of range or {@code items} has
   *     fewer than 2 elements
   */
  public static <T> TrainTestSplit<T> of(List<T> items, double trainFraction, long seed) {
    return of(items, trainFraction, seed, Permutation.SEEDED_SHUFFLE);
  }

  /**
   * Splits {@code items} in the order {@code permutation.permutation(items.size(), seed)}.
   *
   * @param trainFraction fraction in the training part, in (0, 1); the training part gets {@code
   *     floor(trainFraction * n)} items
   * @param seed seed, &gt;= 0
   * @param permutation the order in which items are dealt
   * @throws IllegalArgumentException if the fraction or seed is out of range, {@code items} has
   *     fewer than 2 elements or {@code permutation} returns no permutation of {@code 0 .. n-1}
   */
  public static <T> TrainTestSplit<T> of(
      List<T> items, double trainFraction, long seed, Permutation permutation) {
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(permutation, "permutation");
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException(
          "trainFraction must be in (0, 1), got " + trainFraction + "; e.g. 0.8 for an 80 / 20 split");
    }
    if (seed < 0) {
      throw new IllegalArgumentException("seed must be >= 0, got " + seed);
    }
    int n = items.size();
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 items to split, got " + n);
    }
    int[] perm = permutation.permutation(n, seed);
    checkPermutation(perm, n);
    int cut = (int) (trainFraction * n);
    int[] tr = Arrays.copyOfRange(perm, 0, cut);
    int[] te = Arrays.copyOfRange(perm, cut, n);
    return new TrainTestSplit<>(pick(items, tr), pick(items, te), tr, te);
  }

  private static void checkPermutation(int[] perm, int n) {
    if (perm == null || perm.length != n) {
      throw new IllegalArgumentException("the permutation must hold " + n + " indices, got "
          + (perm == null ? "null" : perm.length + " indices"));
    }
    boolean[] seen = new boolean[n];
    for (int i : perm) {
      if (i < 0 || i >= n || seen[i]) {
        throw new IllegalArgumentException(
            "the permutation must hold each index of 0.." + (n - 1) + " once; index " + i
                + " is out of range or repeated");
      }
      seen[i] = true;
    }
  }

  /** Indices of the training items in the input list (a copy). */
  @Override
  public int[] trainIndices() {
    return trainIndices.clone();
  }

  /** Indices of the test items in the input list (a copy). */
  @Override
  public int[] testIndices() {
    return testIndices.clone();
  }

  private static <T> List<T> pick(List<T> items, int[] idx) {
    List<T> out = new ArrayList<>(idx.length);
    for (int i : idx) {
      out.add(items.get(i));
    }
    return Collections.unmodifiableList(out);
  }
}
