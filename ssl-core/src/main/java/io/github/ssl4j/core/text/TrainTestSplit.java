package io.github.ssl4j.core.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A random train/test split of whole items (W3: whole mails, so no mail has windows in both parts),
 * drawn exactly as the PyTorch peer: {@code perm = np.random.default_rng(seed).permutation(n); cut =
 * int(fraction * n); train = perm[:cut], test = perm[cut:]}. With the same seed and item order
 * (e.g. {@link SpamAssassinReader}'s sorted order) both sides get the same mails.
 *
 * <pre>{@code
 * TrainTestSplit<Document> split = TrainTestSplit.of(mails, 0.8, 0);  // W3: 80 / 20, seed 0
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
    train = List.copyOf(train);
    test = List.copyOf(test);
    trainIndices = trainIndices.clone();
    testIndices = testIndices.clone();
  }

  /**
   * Splits {@code items}.
   *
   * @param trainFraction fraction in the training part, in (0, 1); the training part gets {@code
   *     floor(trainFraction * n)} items (W3: 0.8)
   * @param seed NumPy seed, &gt;= 0 (the peer's {@code --seed}, default 0)
   * @throws IllegalArgumentException if the fraction or seed is out of range or {@code items} has
   *     fewer than 2 elements
   */
  public static <T> TrainTestSplit<T> of(List<T> items, double trainFraction, long seed) {
    Objects.requireNonNull(items, "items");
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException(
          "trainFraction must be in (0, 1), got " + trainFraction + "; W3 uses 0.8");
    }
    if (seed < 0) {
      throw new IllegalArgumentException("seed must be >= 0 (a NumPy seed), got " + seed);
    }
    int n = items.size();
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 items to split, got " + n);
    }
    int[] perm = NumpyPermutation.permutation(n, seed);
    int cut = (int) (trainFraction * n);
    int[] tr = java.util.Arrays.copyOfRange(perm, 0, cut);
    int[] te = java.util.Arrays.copyOfRange(perm, cut, n);
    return new TrainTestSplit<>(pick(items, tr), pick(items, te), tr, te);
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
