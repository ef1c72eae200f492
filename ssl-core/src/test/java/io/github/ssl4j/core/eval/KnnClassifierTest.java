package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class KnnClassifierTest {

  /** Literal lightly knn_predict in plain Java doubles: normalise, dot, full sort, exp(sim/T). */
  private static int[] reference(LabelledData bank, INDArray queries, int k, double t) {
    double[][] b = normalised(bank.features().castTo(DataType.DOUBLE).toDoubleMatrix());
    double[][] q = normalised(queries.castTo(DataType.DOUBLE).toDoubleMatrix());
    int kEff = Math.min(k, b.length);
    int[] out = new int[q.length];
    for (int i = 0; i < q.length; i++) {
      double[] sim = new double[b.length];
      for (int j = 0; j < b.length; j++) {
        double s = 0;
        for (int d = 0; d < q[i].length; d++) {
          s += q[i][d] * b[j][d];
        }
        sim[j] = s;
      }
      Integer[] order = IntStream.range(0, b.length).boxed().toArray(Integer[]::new);
      Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> -sim[j]).thenComparingInt(j -> j));
      double[] score = new double[bank.numClasses()];
      for (int r = 0; r < kEff; r++) {
        score[bank.labels()[order[r]]] += Math.exp(sim[order[r]] / t);
      }
      int best = 0;
      for (int c = 1; c < score.length; c++) {
        if (score[c] > score[best]) {
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }

  private static double[][] normalised(double[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double norm = 0;
      for (double v : x[i]) {
        norm += v * v;
      }
      norm = Math.max(Math.sqrt(norm), 1e-12);
      out[i] = new double[x[i].length];
      for (int d = 0; d < x[i].length; d++) {
        out[i][d] = x[i][d] / norm;
      }
    }
    return out;
  }

  @Test
  void matchesNaiveReferenceOnRandomData() {
    LabelledData bank = TestData.random(500, 16, 7, 1, DataType.DOUBLE);
    LabelledData test = TestData.random(230, 16, 7, 2, DataType.DOUBLE);
    for (int k : new int[] {1, 5, 50, 200}) {
      for (double t : new double[] {0.05, 0.1, 1.0}) {
        for (int blockSize : new int[] {1, 64, 1000}) {
          KnnClassifier knn =
              KnnClassifier.builder().k(k).temperature(t).blockSize(blockSize).build();
          int[] expected = reference(bank, test.features(), k, t);
          assertArrayEquals(expected, knn.fit(bank).predict(test.features()),
              "k=" + k + " T=" + t + " blockSize=" + blockSize);
        }
      }
    }
  }

  @Test
  void matchesReferenceInFloat32() {
    LabelledData bank = TestData.random(300, 8, 4, 3, DataType.FLOAT);
    LabelledData test = TestData.random(100, 8, 4, 4, DataType.FLOAT);
    int[] expected = reference(bank, test.features(), 20, 0.1);
    int[] actual = KnnClassifier.builder().k(20).build().fit(bank).predict(test.features());
    // Float32 rounding may flip a genuine near-tie; allow at most one disagreement.
    int diff = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += expected[i] != actual[i] ? 1 : 0;
    }
    assertTrue(diff <= 1, "float32 predictions differ from the reference in " + diff + " places");
  }

  @Test
  void wellSeparatedClustersAreClassifiedPerfectly() {
    LabelledData bank = TestData.clusters(1000, 12, 10, 5.0, 0.3, 5);
    LabelledData test = TestData.clusters(400, 12, 10, 5.0, 0.3, 6);
    KnnClassifier.Model model = KnnClassifier.builder().build().fit(bank);
    assertEquals(1.0, model.accuracy(test), 0);
    assertEquals(200, model.effectiveK());
  }

  @Test
  void kLargerThanBankUsesWholeBank() {
    // Bank: 3 examples of class 1 far from the query, 1 of class 0 right at it.
    INDArray bank = Nd4j.create(new double[][] {{1, 0}, {0, 1}, {0, 1}, {0, 1}});
    LabelledData data = new LabelledData(bank, new int[] {0, 1, 1, 1}, 2);
    INDArray query = Nd4j.create(new double[][] {{1, 0}});
    KnnClassifier.Model model = KnnClassifier.builder().k(200).temperature(0.1).build().fit(data);
    assertEquals(4, model.effectiveK());
    // Weights: class 0 exp(1/0.1) = e^10 vs class 1: 3 * exp(0) = 3.
    assertArrayEquals(new int[] {0}, model.predict(query));
    // With a very high temperature all weights are ~1 and the majority wins.
    assertArrayEquals(new int[] {1},
        KnnClassifier.builder().temperature(1000).build().fit(data).predict(query));
  }

  @Test
  void tiesAreDeterministic() {
    INDArray same = Nd4j.create(new double[][] {{1, 1}, {1, 1}, {1, 1}});
    INDArray query = Nd4j.create(new double[][] {{2, 2}});
    // Equal similarities: k=1 takes the lowest bank index.
    LabelledData bank = new LabelledData(same, new int[] {2, 0, 1}, 3);
    assertArrayEquals(new int[] {2}, KnnClassifier.builder().k(1).build().fit(bank).predict(query));
    // Equal class scores: the lower class index wins.
    assertArrayEquals(new int[] {0}, KnnClassifier.builder().k(3).build().fit(bank).predict(query));
    LabelledData bank2 = new LabelledData(same, new int[] {1, 2, 2}, 3);
    assertArrayEquals(new int[] {1}, KnnClassifier.builder().k(1).build().fit(bank2).predict(query));
    assertArrayEquals(new int[] {2}, KnnClassifier.builder().k(3).build().fit(bank2).predict(query));
  }

  @Test
  void smallTemperatureDoesNotOverflow() {
    LabelledData bank = TestData.random(200, 8, 3, 9, DataType.DOUBLE);
    LabelledData test = TestData.random(50, 8, 3, 10, DataType.DOUBLE);
    // exp(1 / 1e-4) overflows; the stabilised weights reduce to the nearest neighbour's class.
    int[] nearest = KnnClassifier.builder().k(1).build().fit(bank).predict(test.features());
    int[] tiny = KnnClassifier.builder().k(50).temperature(1e-4).build().fit(bank)
        .predict(test.features());
    assertArrayEquals(nearest, tiny);
  }

  @Test
  void flattensHigherRankFeaturesAndKeepsInputsUnchanged() {
    LabelledData flat = TestData.random(100, 12, 3, 11, DataType.FLOAT);
    INDArray before = flat.features().dup();
    LabelledData image = flat.withFeatures(flat.features().reshape(100, 3, 2, 2));
    KnnClassifier knn = KnnClassifier.builder().k(10).build();
    assertArrayEquals(knn.fit(flat).predict(flat.features()),
        knn.fit(image).predict(image.features()));
    assertEquals(before, flat.features());
  }

  @Test
  void rejectsBadConfigurationAndShapes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KnnClassifier.builder().k(0).build());
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> KnnClassifier.builder().temperature(0).build());
    assertThrows(IllegalArgumentException.class,
        () -> KnnClassifier.builder().temperature(Double.NaN).build());
    assertThrows(IllegalArgumentException.class,
        () -> KnnClassifier.builder().blockSize(0).build());
    KnnClassifier.Model model =
        KnnClassifier.builder().build().fit(TestData.random(10, 4, 2, 1, DataType.FLOAT));
    e = assertThrows(IllegalArgumentException.class, () -> model.predict(Nd4j.zeros(3, 5)));
    assertTrue(e.getMessage().contains("4 features"), e.getMessage());
  }

  /** Timing smoke test on a 1/10 scale of W1 (1k x 60k x 128); prints the time taken. */
  @Test
  void largeBankRunsInBoundedTime() {
    LabelledData bank = TestData.random(60_000, 128, 10, 12, DataType.FLOAT);
    INDArray queries = Nd4j.rand(DataType.FLOAT, 1_000, 128).subi(0.5);
    long start = System.nanoTime();
    int[] out = KnnClassifier.builder().build().fit(bank).predict(queries);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(1_000, out.length);
    System.out.printf("kNN 1k x 60k x 128, k=200: %.1f s%n", seconds);
    assertTrue(seconds < 60, "kNN took " + seconds + " s");
  }
}
