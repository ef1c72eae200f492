package io.github.ssl4j.tasks.masked;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.text.TokenWindows;
import io.github.ssl4j.core.text.Vocabulary;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MlmMaskerTest {
  private static final int VOCAB = 1000;
  private static final int ROWS = 2000;
  private static final int LEN = 64;
  /** Synthetic windows: [CLS], tokens incl. some [UNK]/[SEP]/[MASK], a padded tail. */
  private static int[][] windows;

  private static INDArray ids;

  @BeforeAll
  static void batch() {
    SplittableRandom r = new SplittableRandom(1);
    windows = new int[ROWS][LEN];
    for (int i = 0; i < ROWS; i++) {
      windows[i][0] = Vocabulary.CLS;
      int used = 1 + r.nextInt(LEN - 1);
      for (int j = 1; j <= used; j++) {
        windows[i][j] = r.nextInt(20) == 0 ? r.nextInt(1, 5) : r.nextInt(5, VOCAB);
      }
    }
    ids = TokenWindows.toArray(windows, DataType.FLOAT);
  }

  @Test
  void bertStatisticsOnALargeBatch() {
    MaskedTokens out = MlmMasker.bert(VOCAB).mask(ids, new SplittableRandom(42));
    float[] in = out.inputs().data().asFloat();
    float[] lab = out.labels().data().asFloat();
    float[] m = out.labelMask().data().asFloat();
    long eligible = 0;
    long selected = 0;
    long masked = 0;
    long random = 0;
    long kept = 0;
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < LEN; j++) {
        int k = i * LEN + j;
        int orig = windows[i][j];
        assertEquals(orig, (int) lab[k], "labels are the original ids");
        boolean special = orig < Vocabulary.FIRST_REGULAR_ID;
        if (special) {
          assertEquals(0f, m[k], "special token selected at " + i + "," + j);
          assertEquals(orig, (int) in[k], "special token changed at " + i + "," + j);
          continue;
        }
        eligible++;
        if (m[k] == 0f) {
          assertEquals(orig, (int) in[k], "unselected token changed at " + i + "," + j);
          continue;
        }
        selected++;
        int now = (int) in[k];
        if (now == Vocabulary.MASK) {
          masked++;
        } else if (now != orig) {
          random++;
          assertTrue(now >= Vocabulary.FIRST_REGULAR_ID && now < VOCAB, "random token " + now);
        } else {
          kept++;
        }
      }
    }
    // ~100k eligible tokens: sd of the rate ~0.0011; of the 80/10/10 split ~0.003 / 0.002
    double rate = (double) selected / eligible;
    assertEquals(0.15, rate, 0.006, "selection rate");
    assertEquals(0.8, (double) masked / selected, 0.015, "[MASK] share");
    assertEquals(0.1, (double) random / selected, 0.012, "random share");
    assertEquals(0.1, (double) kept / selected, 0.012, "unchanged share");
    assertTrue(eligible > 50_000, "synthetic batch too small: " + eligible);
  }

  @Test
  void typesAndShapesFollowTheInput() {
    MaskedTokens f = MlmMasker.bert(VOCAB).mask(ids, new SplittableRandom(3));
    assertArrayEquals(new long[] {ROWS, LEN}, f.inputs().shape());
    assertArrayEquals(new long[] {ROWS, LEN}, f.labels().shape());
    assertArrayEquals(new long[] {ROWS, LEN}, f.labelMask().shape());
    assertEquals(DataType.FLOAT, f.inputs().dataType());
    assertEquals(DataType.FLOAT, f.labelMask().dataType());
    INDArray ints = ids.castTo(DataType.INT32);
    MaskedTokens i = MlmMasker.bert(VOCAB).mask(ints, new SplittableRandom(3));
    assertEquals(DataType.INT32, i.inputs().dataType());
    assertEquals(DataType.INT32, i.labels().dataType());
    assertEquals(f.inputs().castTo(DataType.INT32), i.inputs());
    assertEquals(f.labelMask(), i.labelMask());
    assertEquals(ids.castTo(DataType.INT32), ints, "input not modified");
  }

  @Test
  void deterministicPerSeed() {
    MlmMasker masker = MlmMasker.bert(VOCAB);
    MaskedTokens a = masker.mask(ids, new SplittableRandom(7));
    MaskedTokens b = masker.mask(ids, new SplittableRandom(7));
    MaskedTokens c = masker.mask(ids, new SplittableRandom(8));
    assertEquals(a.inputs(), b.inputs());
    assertEquals(a.labelMask(), b.labelMask());
    assertNotEquals(a.labelMask(), c.labelMask());
  }

  @Test
  void customFractions() {
    MlmMasker all = MlmMasker.builder(VOCAB).selectProbability(1).maskFraction(1).randomFraction(0).build();
    INDArray row = Nd4j.createFromArray(new float[][] {{2, 7, 8, 1, 0}});
    MaskedTokens out = all.mask(row, new SplittableRandom(0));
    assertEquals(Nd4j.createFromArray(new float[][] {{2, 4, 4, 1, 0}}), out.inputs());
    assertEquals(Nd4j.createFromArray(new float[][] {{0, 1, 1, 0, 0}}), out.labelMask());
    MlmMasker keep = MlmMasker.builder(VOCAB).selectProbability(1).maskFraction(0).randomFraction(0).build();
    MaskedTokens same = keep.mask(row, new SplittableRandom(0));
    assertEquals(row, same.inputs());
    assertEquals(out.labelMask(), same.labelMask());
  }

  @Test
  void validation() {
    assertThrows(IllegalArgumentException.class, () -> MlmMasker.bert(5));
    assertThrows(IllegalArgumentException.class, () -> MlmMasker.builder(VOCAB).selectProbability(0).build());
    assertThrows(IllegalArgumentException.class, () -> MlmMasker.builder(VOCAB).maskFraction(1.2).build());
    assertThrows(
        IllegalArgumentException.class, () -> MlmMasker.builder(VOCAB).maskFraction(0.95).randomFraction(0.1).build());
    MlmMasker m = MlmMasker.bert(VOCAB);
    IllegalArgumentException range =
        assertThrows(
            IllegalArgumentException.class,
            () -> m.mask(Nd4j.createFromArray(new float[][] {{2, 1000}}), new SplittableRandom(0)));
    assertTrue(range.getMessage().contains("[0, 1]"), range.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> m.mask(Nd4j.createFromArray(new float[][] {{2, 5.5f}}), new SplittableRandom(0)));
    assertThrows(
        IllegalArgumentException.class, () -> m.mask(Nd4j.createFromArray(new float[] {2, 5}), new SplittableRandom(0)));
    assertFalse(m.config().isEmpty());
    assertEquals(0.15, m.config().get("selectProbability"));
  }
}
