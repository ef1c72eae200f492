package io.github.ssl4j.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MinibatchesTest {

  @Test
  void dropLastHasOnlyFullBatchesFromOnePermutationPerEpoch() {
    Minibatches m = Minibatches.dropLast(10, 3, 5);
    assertEquals(3, m.stepsPerEpoch());
    int[] perm = Minibatches.permutation(5, 1, 10);
    assertArrayEquals(Arrays.copyOfRange(perm, 3, 6), m.indices(4)); // epoch 1, batch 1
    for (long s = 0; s < 9; s++) {
      assertEquals(3, m.indices(s).length);
    }
  }

  @Test
  void keepLastVisitsEveryExampleOncePerEpoch() {
    Minibatches m = Minibatches.keepLast(10, 4, 5);
    assertEquals(3, m.stepsPerEpoch());
    for (int epoch = 0; epoch < 3; epoch++) {
      long first = epoch * m.stepsPerEpoch();
      int[] all = IntStream.range(0, 3)
          .flatMap(b -> Arrays.stream(m.indices(first + b)))
          .sorted().toArray();
      assertArrayEquals(IntStream.range(0, 10).toArray(), all, "epoch " + epoch);
    }
    assertEquals(2, m.indices(2).length);
    assertEquals(2, m.indices(5).length);
  }

  @Test
  void orderDependsOnSeedAndEpochOnlyNotOnCallOrder() {
    Minibatches a = Minibatches.dropLast(100, 10, 42);
    Minibatches b = Minibatches.dropLast(100, 10, 42);
    int[] late = b.indices(25);
    int[] early = b.indices(3);
    for (long s = 0; s < 30; s++) {
      int[] x = a.indices(s);
      if (s == 3) {
        assertArrayEquals(early, x);
      }
      if (s == 25) {
        assertArrayEquals(late, x);
      }
    }
    assertFalse(Arrays.equals(Minibatches.permutation(42, 0, 100), Minibatches.permutation(42, 1, 100)));
    assertFalse(Arrays.equals(Minibatches.permutation(42, 0, 100), Minibatches.permutation(43, 0, 100)));
  }

  @Test
  void rejectsTooLittleData() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Minibatches.dropLast(5, 8, 0));
    assertTrue(e.getMessage().contains("5 examples") && e.getMessage().contains("8"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Minibatches.keepLast(0, 8, 0));
    assertThrows(IllegalArgumentException.class, () -> Minibatches.keepLast(5, 0, 0));
  }
}
