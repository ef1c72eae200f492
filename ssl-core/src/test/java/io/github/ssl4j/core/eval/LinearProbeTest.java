package io.github.ssl4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinearProbeTest {

  @Test
  void separableDataIsLearned() {
    LabelledData train = TestData.clusters(2000, 16, 10, 3.0, 0.5, 1);
    LabelledData test = TestData.clusters(500, 16, 10, 3.0, 0.5, 2);
    LinearProbe.Result r = LinearProbe.builder().epochs(10).learningRate(1e-2).build()
        .evaluate(train, test);
    assertTrue(r.trainAccuracy() >= 0.95, "train accuracy " + r.trainAccuracy());
    assertTrue(r.testAccuracy() >= 0.95, "test accuracy " + r.testAccuracy());
  }

  @Test
  void separableWithoutStandardisationAndShiftedFeatures() {
    LabelledData train = TestData.clusters(1000, 8, 4, 3.0, 0.5, 3);
    // A large constant offset and a constant feature: standardisation must cope.
    INDArray shifted = train.features().add(100.0);
    shifted.getColumn(7).assign(5.0);
    LabelledData shiftedTrain = train.withFeatures(shifted);
    LinearProbe.Model model = LinearProbe.builder().epochs(20).learningRate(0.05).build()
        .fit(shiftedTrain);
    assertTrue(model.accuracy(shiftedTrain) >= 0.95, "accuracy " + model.accuracy(shiftedTrain));
    LinearProbe.Model raw = LinearProbe.builder().standardise(false).epochs(20).learningRate(0.05)
        .build().fit(train);
    assertTrue(raw.accuracy(train) >= 0.95, "accuracy " + raw.accuracy(train));
  }

  @Test
  void seedDeterministic() {
    LabelledData train = TestData.random(600, 12, 3, 4, DataType.FLOAT);
    LabelledData test = TestData.random(200, 12, 3, 5, DataType.FLOAT);
    LinearProbe probe = LinearProbe.builder().epochs(3).batchSize(64).seed(7).build();
    LinearProbe.Model a = probe.fit(train);
    LinearProbe.Model b = probe.fit(train);
    assertEquals(a.probabilities(test.features()), b.probabilities(test.features()));
    assertArrayEquals(a.predict(test.features()), b.predict(test.features()));
    LinearProbe.Model c = LinearProbe.builder().epochs(3).batchSize(64).seed(8).build().fit(train);
    assertTrue(!a.probabilities(test.features()).equals(c.probabilities(test.features())),
        "different seeds gave identical models");
    // seed 0, the builder's default, is what ND4J would take as "seed from the clock"
    LinearProbe zero = LinearProbe.builder().epochs(3).batchSize(64).seed(0).build();
    assertEquals(zero.fit(train).probabilities(test.features()), zero.fit(train).probabilities(test.features()));
  }

  @Test
  void inputsAreNotModified() {
    LabelledData train = TestData.random(100, 4, 2, 6, DataType.FLOAT);
    INDArray before = train.features().dup();
    LinearProbe.builder().epochs(1).build().fit(train);
    assertEquals(before, train.features());
  }

  @Test
  void rejectsBadConfigurationAndShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LinearProbe.builder().epochs(0).build());
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LinearProbe.builder().batchSize(0).build());
    assertThrows(IllegalArgumentException.class,
        () -> LinearProbe.builder().learningRate(-1).build());
    assertThrows(IllegalArgumentException.class, () -> LinearProbe.builder().l2(Double.NaN).build());
    LinearProbe.Model model = LinearProbe.builder().epochs(1).build()
        .fit(TestData.random(50, 4, 2, 7, DataType.FLOAT));
    e = assertThrows(IllegalArgumentException.class, () -> model.predict(Nd4j.zeros(2, 5)));
    assertTrue(e.getMessage().contains("4 values per example"), e.getMessage());
  }

  /** Timing smoke test at 1/10 of W1 scale: 6k x 128 features, 10 classes, 10 epochs. */
  @Test
  void w1ScaleIsFast() {
    LabelledData train = TestData.clusters(6_000, 128, 10, 1.0, 1.0, 8);
    long start = System.nanoTime();
    LinearProbe.Model model = LinearProbe.builder().build().fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("linear probe 6k x 128, 10 epochs: %.1f s, train accuracy %.3f%n", seconds,
        model.accuracy(train));
    assertTrue(seconds < 120, "linear probe took " + seconds + " s");
  }
}
