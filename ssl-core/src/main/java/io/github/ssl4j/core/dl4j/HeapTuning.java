package io.github.ssl4j.core.dl4j;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shrinks the JVM's heap to what is live before a training run's first step.
 *
 * <p>Loading data and building a network fill the Java heap with garbage, and the JVM keeps the
 * memory it grew to: by default a collection gives memory back only when more than 70 % of the
 * heap is free ({@code MaxHeapFreeRatio}). During training the heap holds little (ND4J keeps
 * arrays in native memory) while DL4J's workspaces and the batches need native memory on top.
 * {@link #apply()} lowers the JVM's {@code MaxHeapFreeRatio} to {@value #MAX_FREE} and {@code
 * MinHeapFreeRatio} to {@value #MIN_FREE} (both can be changed at run time) and collects once, so
 * the heap shrinks; {@link #restore()} puts the previous values back, after which the heap grows
 * again only as the JVM needs (low ratios kept during training would make the collector run more
 * often). Skipped when the JVM does not offer the flags, when either was set when the JVM started
 * (command line, environment), or when the system property {@value #PROPERTY} is {@code false}.
 * Not thread-safe: for the thread that runs a training loop.
 */
public final class HeapTuning {
  private static final Logger LOG = LoggerFactory.getLogger(HeapTuning.class);

  /** Set to {@code false} to leave the heap settings alone. */
  public static final String PROPERTY = "ssl4j.heap.tune";

  /** {@code MaxHeapFreeRatio} during training (percent). */
  static final int MAX_FREE = 20;
  /** {@code MinHeapFreeRatio} during training (percent). */
  static final int MIN_FREE = 10;

  private static final String MAX = "MaxHeapFreeRatio";
  private static final String MIN = "MinHeapFreeRatio";

  private final String previousMax;
  private final String previousMin;

  private HeapTuning(String previousMax, String previousMin) {
    this.previousMax = previousMax;
    this.previousMin = previousMin;
  }

  /**
   * Lowers the heap's free ratios and collects once.
   *
   * @return what {@link #restore()} undoes; a no-op when tuning was skipped
   */
  public static HeapTuning apply() {
    if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim())) {
      return new HeapTuning(null, null);
    }
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (vm == null || !changeable(vm, MAX) || !changeable(vm, MIN)) {
        return new HeapTuning(null, null);
      }
      String max = vm.getVMOption(MAX).getValue();
      String min = vm.getVMOption(MIN).getValue();
      // MinHeapFreeRatio may not exceed MaxHeapFreeRatio at any moment: lower the minimum first
      vm.setVMOption(MIN, Integer.toString(MIN_FREE));
      vm.setVMOption(MAX, Integer.toString(MAX_FREE));
      System.gc();
      return new HeapTuning(max, min);
    } catch (RuntimeException e) {
      LOG.debug("heap free ratios not changed: {}", e.toString());
      return new HeapTuning(null, null);
    }
  }

  /** Not set when the JVM started (command line, environment, options file): default, or set at run time. */
  static boolean changeable(HotSpotDiagnosticMXBean vm, String flag) {
    com.sun.management.VMOption.Origin origin = vm.getVMOption(flag).getOrigin();
    return origin == com.sun.management.VMOption.Origin.DEFAULT
        || origin == com.sun.management.VMOption.Origin.MANAGEMENT;
  }

  /** @return whether {@link #apply()} changed the settings (so that {@link #restore()} will) */
  public boolean applied() {
    return previousMax != null;
  }

  /** Puts back the free ratios {@link #apply()} found; nothing if it changed none. */
  public void restore() {
    if (previousMax == null) {
      return;
    }
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      vm.setVMOption(MAX, previousMax);
      vm.setVMOption(MIN, previousMin);
    } catch (RuntimeException e) {
      LOG.debug("heap free ratios not restored: {}", e.toString());
    }
  }
}
