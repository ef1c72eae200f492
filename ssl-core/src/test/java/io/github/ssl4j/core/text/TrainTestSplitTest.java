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
    // train = [items[i] for i in perm[:cut]], test = the rest
    int[] perm = TrainTestSplit.Permutation.SEEDED_SHUFFLE.permutation(101, 7);
    assertEquals(items.get(perm[0]), s.train().get(0));
    assertEquals(items.get(perm[80]), s.test().get(0));
    assertArrayEquals(java.util.Arrays.copyOf(perm, 80), s.trainIndices());
  }

  @Test
  void givenPermutationDecidesTheOrder() {
    List<String> items = List.of("a", "b", "c", "d", "e");
    TrainTestSplit<String> s = TrainTestSplit.of(items, 0.6, 0, (n, seed) -> new int[] {4, 3, 2, 1, 0});
    assertEquals(List.of("e", "d", "c"), s.train());
    assertEquals(List.of("b", "a"), s.test());
    assertThrows(IllegalArgumentException.class,
        () -> TrainTestSplit.of(items, 0.6, 0, (n, seed) -> new int[] {0, 1, 2, 3}));
    assertThrows(IllegalArgumentException.class,
        () -> TrainTestSplit.of(items, 0.6, 0, (n, seed) -> new int[] {0, 1, 2, 3, 3}));
    assertThrows(IllegalArgumentException.class,
        () -> TrainTestSplit.of(items, 0.6, 0, (n, seed) -> new int[] {0, 1, 2, 3, 5}));
  }

  @Test
  void splitOfDocumentsKeepsEveryDocumentInOnePart() {
    List<Document> mails = IntStream.range(0, 6)
        .mapToObj(i -> new Document("text " + i, i < 4 ? "ham" : "spam", "mail-" + i)).toList();
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
