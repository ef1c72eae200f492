package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainTestSplitTest {

  @Test
  void permutationIsBitExactWithNumpy() {
    // python3 -c "import numpy as np; print(np.random.default_rng(s).permutation(10))"
    assertArrayEquals(new int[] {4, 6, 2, 7, 3, 5, 9, 0, 8, 1}, NumpyPermutation.permutation(10, 0));
    assertArrayEquals(new int[] {8, 4, 7, 0, 1, 2, 5, 9, 6, 3}, NumpyPermutation.permutation(10, 1));
    assertArrayEquals(new int[] {5, 6, 0, 7, 3, 2, 4, 9, 1, 8}, NumpyPermutation.permutation(10, 42));
    assertArrayEquals(
        new int[] {9, 1, 5, 0, 8, 3, 2, 7, 6, 4}, NumpyPermutation.permutation(10, 12345678901234L));
    // np.random.default_rng(0).permutation(6046)[:5]: the W3 corpus size
    int[] p = NumpyPermutation.permutation(6046, 0);
    assertArrayEquals(new int[] {1852, 2656, 1213, 1237, 5450}, java.util.Arrays.copyOf(p, 5));
    assertArrayEquals(
        new int[] {1122, 4236, 3060, 1097, 3140},
        java.util.Arrays.copyOf(NumpyPermutation.permutation(6046, 42), 5));
    assertArrayEquals(new int[0], NumpyPermutation.permutation(0, 0));
    assertArrayEquals(new int[] {0}, NumpyPermutation.permutation(1, 0));
  }

  @Test
  void splitByItemDisjointCompleteDeterministic() {
    List<Integer> items = IntStream.range(0, 101).boxed().toList();
    TrainTestSplit<Integer> s = TrainTestSplit.of(items, 0.8, 7);
    assertEquals(80, s.train().size()); // int(0.8 * 101)
    assertEquals(21, s.test().size());
    Set<Integer> train = new HashSet<>(s.train());
    for (Integer t : s.test()) {
      assertTrue(!train.contains(t), "item " + t + " in both parts");
    }
    Set<Integer> all = new HashSet<>(train);
    all.addAll(s.test());
    assertEquals(101, all.size());
    TrainTestSplit<Integer> again = TrainTestSplit.of(items, 0.8, 7);
    assertEquals(s.train(), again.train());
    assertArrayEquals(s.testIndices(), again.testIndices());
    assertTrue(!s.train().equals(TrainTestSplit.of(items, 0.8, 8).train()));
    // the peer's train = [mails[i] for i in perm[:cut]]
    int[] perm = NumpyPermutation.permutation(101, 7);
    assertEquals(items.get(perm[0]), s.train().get(0));
    assertEquals(items.get(perm[80]), s.test().get(0));
  }

  @Test
  void splitOfMailsKeepsEveryMailInOnePart() {
    List<Document> mails = SpamAssassinReader.read(SpamAssassinReaderTest.fixture());
    TrainTestSplit<Document> s = TrainTestSplit.of(mails, 0.8, 0);
    assertEquals(4, s.train().size()); // int(0.8 * 6)
    assertEquals(2, s.test().size());
    Set<String> sources = new HashSet<>();
    s.train().forEach(d -> sources.add(d.source()));
    s.test().forEach(d -> assertTrue(sources.add(d.source())));
    assertEquals(6, sources.size());
  }

  @Test
  void validation() {
    List<Integer> items = List.of(1, 2, 3);
    assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.of(items, 1.0, 0));
    assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.of(items, Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.of(items, 0.5, -1));
    assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.of(List.of(1), 0.5, 0));
  }
}
