package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FewLabelProtocolTest {

  /** Example i has features [label, i]; 3 classes of 20 examples each. */
  private static LabelledData indexed(int n) {
    double[][] x = new double[n][2];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      x[i][0] = labels[i];
      x[i][1] = i;
    }
    return new LabelledData(Nd4j.create(x), labels, 3);
  }

  /** Predicts the label stored in column 0. */
  private static final Classifier ORACLE = x -> {
    int[] out = new int[(int) x.size(0)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) x.getDouble(i, 0);
    }
    return out;
  };

  /** Always predicts class 0. */
  private static final Classifier CONSTANT = x -> new int[(int) x.size(0)];

  @Test
  void bothTrainersSeeTheSameStratifiedSubsetAndAreScored() {
    LabelledData train = indexed(60);
    LabelledData test = indexed(30);
    List<INDArray> seenByPretrained = new ArrayList<>();
    List<INDArray> seenByScratch = new ArrayList<>();
    ClassifierTrainer pretrained = subset -> {
      // Subset features must be the selected rows: column 0 equals the label.
      for (int i = 0; i < subset.size(); i++) {
        assertEquals(subset.labels()[i], (int) subset.features().getDouble(i, 0));
      }
      seenByPretrained.add(subset.features().dup());
      return ORACLE;
    };
    ClassifierTrainer scratch = subset -> {
      seenByScratch.add(subset.features().dup());
      return CONSTANT;
    };
    FewLabelProtocol protocol = FewLabelProtocol.builder(
        List.of(LabelBudget.perClass(2), LabelBudget.fraction(0.5)), 11L).build();
    FewLabelProtocol.Report report = protocol.run(train, test, pretrained, scratch);

    assertEquals(2, report.rows().size());
    assertEquals(6, report.rows().get(0).subsetSize());
    assertEquals(30, report.rows().get(1).subsetSize());
    assertEquals(seenByPretrained, seenByScratch);
    // The subset is the sampler's, rows in ascending index order.
    int[] expected = StratifiedSampler.perClass(train, 2, 11L);
    double[] ids = seenByPretrained.get(0).getColumn(1).toDoubleVector();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], (int) ids[i]);
    }

    FewLabelProtocol.Score p = report.rows().get(0).pretrained();
    FewLabelProtocol.Score s = report.rows().get(0).scratch();
    assertEquals(1.0, p.accuracy(), 0);
    assertEquals(1.0, p.macroF1(), 0);
    // Constant class 0 on a balanced 3-class test set: accuracy 1/3;
    // F1 class 0 = 2 * (1/3) * 1 / (4/3) = 1/2, classes 1 and 2: 0 -> macro 1/6.
    assertEquals(1.0 / 3, s.accuracy(), 1e-12);
    assertEquals(1.0 / 6, s.macroF1(), 1e-12);
  }

  /** Trainer whose classifier is the oracle except on the first (seed mod 4) test examples. */
  private static final class SeedDependent implements ClassifierTrainer {
    final List<Long> seeds = new ArrayList<>();
    final List<INDArray> subsets = new ArrayList<>();

    @Override
    public Classifier train(LabelledData subset) {
      throw new AssertionError("the protocol must pass the repeat's seed");
    }

    @Override
    public Classifier train(LabelledData subset, long seed) {
      seeds.add(seed);
      subsets.add(subset.features().dup());
      int wrong = (int) (seed % 4);
      return x -> {
        int[] out = ORACLE.predict(x);
        for (int i = 0; i < wrong; i++) {
          out[i] = (out[i] + 1) % 3;
        }
        return out;
      };
    }
  }

  @Test
  void repeatsUseSeedPlusRForSubsetAndTrainerAndReportMeanAndSd() {
    LabelledData train = indexed(60);
    LabelledData test = indexed(30);
    SeedDependent pretrained = new SeedDependent();
    SeedDependent scratch = new SeedDependent();
    FewLabelProtocol protocol = FewLabelProtocol.builder(List.of(LabelBudget.perClass(2)), 5L).repeats(3).build();
    FewLabelProtocol.Report report = protocol.run(train, test, pretrained, scratch);
    assertEquals(List.of(5L, 6L, 7L), pretrained.seeds);
    assertEquals(7L, protocol.repeatSeed(2));
    assertEquals(List.of(5L, 6L, 7L), scratch.seeds);
    for (int r = 0; r < 3; r++) {
      int[] expected = StratifiedSampler.perClass(train, 2, 5L + r);
      double[] ids = pretrained.subsets.get(r).getColumn(1).toDoubleVector();
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], (int) ids[i]);
      }
      assertEquals(pretrained.subsets.get(r), scratch.subsets.get(r));
    }
    assertNotEquals(pretrained.subsets.get(0), pretrained.subsets.get(1), "repeats drew the same subset");
    // seeds 5, 6, 7 -> 1, 2, 3 of 30 wrong: accuracies 29/30, 28/30, 27/30
    FewLabelProtocol.Row row = report.rows().get(0);
    assertEquals(3, row.pretrainedRuns().size());
    assertEquals(28.0 / 30, row.pretrained().accuracy(), 1e-12);
    assertEquals(1.0 / 30, row.pretrainedSd().accuracy(), 1e-12); // sample sd of {29, 28, 27}/30
    assertEquals(27.0 / 30, row.scratchRuns().get(2).accuracy(), 1e-12);
    assertTrue(report.toTable().contains("93.33 ± 3.33"), report.toTable());
    @SuppressWarnings("unchecked")
    Map<String, Object> m = ((List<Map<String, Object>>) report.toMap().get("rows")).get(0);
    assertEquals(3, ((List<?>) m.get("pretrainedRuns")).size());
    assertThrows(IllegalArgumentException.class,
        () -> FewLabelProtocol.builder(List.of(LabelBudget.perClass(2)), 5L).repeats(0).build());
  }

  @Test
  void reportRendersTableAndMap() {
    FewLabelProtocol.Report report = FewLabelProtocol.builder(
            List.of(LabelBudget.perClass(2), LabelBudget.fraction(0.1)), 3L)
        .build()
        .run(indexed(60), indexed(30), s -> ORACLE, s -> CONSTANT);
    String table = report.toTable();
    String[] lines = table.split("\n");
    assertEquals(3, lines.length, table);
    assertEquals(lines[0].length(), lines[1].length(), table);
    assertEquals(lines[0].length(), lines[2].length(), table);
    assertTrue(lines[0].startsWith("budget"), table);
    assertTrue(lines[1].startsWith("2/class"), table);
    assertTrue(lines[1].contains("100.00"), table);
    assertTrue(lines[1].contains("33.33"), table);
    assertTrue(lines[2].startsWith("10.0%"), table);

    Map<String, Object> map = report.toMap();
    assertEquals(3L, map.get("seed"));
    assertEquals(60, map.get("trainSize"));
    assertEquals(30, map.get("testSize"));
    @SuppressWarnings("unchecked")
    Map<String, Object> row = ((List<Map<String, Object>>) map.get("rows")).get(0);
    assertEquals("2/class", row.get("budget"));
    assertEquals(6, row.get("subsetSize"));
    assertEquals(Map.of("accuracy", 1.0, "macroF1", 1.0), row.get("pretrained"));
  }

  @Test
  void worksWithRealTrainers() {
    LabelledData train = TestData.clusters(300, 6, 3, 3.0, 0.3, 1);
    LabelledData test = TestData.clusters(90, 6, 3, 3.0, 0.3, 2);
    FewLabelProtocol.Report report = FewLabelProtocol.builder(
            List.of(LabelBudget.perClass(5)), 1L).build()
        .run(train, test, KnnClassifier.builder().k(5).build(),
            LinearProbe.builder().epochs(30).learningRate(0.05).build());
    assertEquals(1.0, report.rows().get(0).pretrained().accuracy(), 0);
    assertTrue(report.rows().get(0).scratch().accuracy() > 0.9, report.toTable());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class,
        () -> FewLabelProtocol.builder(List.of(), 1L).build());
    assertThrows(IllegalArgumentException.class, () -> LabelBudget.perClass(0));
    assertThrows(IllegalArgumentException.class, () -> LabelBudget.fraction(0));
    FewLabelProtocol protocol =
        FewLabelProtocol.builder(List.of(LabelBudget.perClass(1)), 1L).build();
    LabelledData twoClasses = new LabelledData(Nd4j.zeros(4, 2), new int[] {0, 1, 0, 1}, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> protocol.run(indexed(30), twoClasses, s -> ORACLE, s -> ORACLE));
    assertTrue(e.getMessage().contains("3 classes but test has 2"), e.getMessage());
    IllegalStateException bad = assertThrows(IllegalStateException.class,
        () -> protocol.run(indexed(30), indexed(9), s -> ORACLE, s -> x -> new int[1]));
    assertTrue(bad.getMessage().contains("scratch"), bad.getMessage());
    assertArrayEquals(new int[] {0, 1, 2}, LabelBudget.perClass(1).select(indexed(3), 0L));
  }
}
