package io.github.ssl4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ssl4j.core.text.TrainTestSplit;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NumpyPermutationTest {

  @Test
  void permutationIsBitExactWithNumpy() {
    // python3 -c "import numpy as np; print(np.random.default_rng(s).permutation(10))"
    assertArrayEquals(new int[] {4, 6, 2, 7, 3, 5, 9, 0, 8, 1}, NumpyPermutation.permutation(10, 0));
    assertArrayEquals(new int[] {8, 4, 7, 0, 1, 2, 5, 9, 6, 3}, NumpyPermutation.permutation(10, 1));
    assertArrayEquals(new int[] {5, 6, 0, 7, 3, 2, 4, 9, 1, 8}, NumpyPermutation.permutation(10, 42));
    assertArrayEquals(
        new int[] {9, 1, 5, 0, 8, 3, 2, 7, 6, 4}, NumpyPermutation.permutation(10, 12345678901234L));
    // np.random.default_rng(0).permutation(6046)[:5]: the size of the SpamAssassin corpus
    int[] p = NumpyPermutation.permutation(6046, 0);
    assertArrayEquals(new int[] {1852, 2656, 1213, 1237, 5450}, java.util.Arrays.copyOf(p, 5));
    assertArrayEquals(
        new int[] {1122, 4236, 3060, 1097, 3140},
        java.util.Arrays.copyOf(NumpyPermutation.permutation(6046, 42), 5));
    assertArrayEquals(new int[0], NumpyPermutation.permutation(0, 0));
    assertArrayEquals(new int[] {0}, NumpyPermutation.permutation(1, 0));
  }

  @Test
  void splitTakesTheTrainingPartFromThePermutationsHead() {
    List<Integer> items = IntStream.range(0, 101).boxed().toList();
    TrainTestSplit<Integer> s = TrainTestSplit.of(items, 0.8, 7, NumpyPermutation::permutation);
    // the reference's train = [mails[i] for i in perm[:cut]]
    int[] perm = NumpyPermutation.permutation(101, 7);
    assertEquals(items.get(perm[0]), s.train().get(0));
    assertEquals(items.get(perm[80]), s.test().get(0));
  }
}
