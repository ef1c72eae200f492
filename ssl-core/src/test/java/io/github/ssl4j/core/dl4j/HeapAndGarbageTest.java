package io.github.ssl4j.core.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** The training loop's heap tuning and its collections after batches handed over. */
class HeapAndGarbageTest {

  private static String option(String name) {
    return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
  }

  @Test
  void heapTuningLowersTheFreeRatiosAndRestoresThem() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    assumeTrue(HeapTuning.changeable(vm, "MaxHeapFreeRatio") && HeapTuning.changeable(vm, "MinHeapFreeRatio"),
        "free ratios set on this JVM's command line");
    String max = option("MaxHeapFreeRatio");
    String min = option("MinHeapFreeRatio");
    HeapTuning tuning = HeapTuning.apply();
    try {
      assertTrue(tuning.applied());
      assertEquals(Integer.toString(HeapTuning.MAX_FREE), option("MaxHeapFreeRatio"));
      assertEquals(Integer.toString(HeapTuning.MIN_FREE), option("MinHeapFreeRatio"));
    } finally {
      tuning.restore();
    }
    assertEquals(max, option("MaxHeapFreeRatio"));
    assertEquals(min, option("MinHeapFreeRatio"));
    // a second training run in the same JVM tunes again
    HeapTuning again = HeapTuning.apply();
    try {
      assertTrue(again.applied());
    } finally {
      again.restore();
    }
  }

  @Test
  void heapTuningCanBeSwitchedOff() {
    String max = option("MaxHeapFreeRatio");
    System.setProperty(HeapTuning.PROPERTY, "false");
    try {
      HeapTuning tuning = HeapTuning.apply();
      assertFalse(tuning.applied());
      assertEquals(max, option("MaxHeapFreeRatio"));
      tuning.restore();
      assertEquals(max, option("MaxHeapFreeRatio"));
    } finally {
      System.clearProperty(HeapTuning.PROPERTY);
    }
  }

  private static MultiDataSet batch(long floats) {
    INDArray features = Nd4j.create(DataType.FLOAT, floats / 2);
    INDArray labels = Nd4j.create(DataType.DOUBLE, floats / 4); // same bytes as floats / 2 floats
    return new MultiDataSet(new INDArray[] {features}, new INDArray[] {labels},
        new INDArray[] {null}, null);
  }

  @Test
  void collectsOnceTheBatchesHandedOverReachTheThreshold() {
    assertEquals(4000, NativeGarbage.bytes(batch(1000)));
    NativeGarbage garbage = new NativeGarbage(10_000, true);
    assertFalse(garbage.handedOver(batch(1000))); // 4,000 bytes
    assertFalse(garbage.handedOver(batch(1000))); // 8,000
    assertTrue(garbage.handedOver(batch(1000))); // 12,000: collect, start again
    assertEquals(1, garbage.collections());
    assertFalse(garbage.handedOver(batch(1000)));
    assertFalse(garbage.handedOver(batch(1000)));
    assertTrue(garbage.handedOver(batch(1000)));
    assertEquals(2, garbage.collections());
  }

  @Test
  void switchedOffItNeverCollectsAndAThresholdMustBePositive() {
    NativeGarbage off = new NativeGarbage(1, false);
    for (int i = 0; i < 5; i++) {
      assertFalse(off.handedOver(batch(1000)));
    }
    assertEquals(0, off.collections());
    System.setProperty(NativeGarbage.PROPERTY, "false");
    try {
      assertFalse(new NativeGarbage().handedOver(batch(20_000_000)));
    } finally {
      System.clearProperty(NativeGarbage.PROPERTY);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NativeGarbage(0, true));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
  }
}
