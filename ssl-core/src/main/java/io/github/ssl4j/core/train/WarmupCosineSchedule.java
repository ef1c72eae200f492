package io.github.ssl4j.core.train;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning-rate schedule by iteration: linear warm-up from 0 to {@code baseValue} over {@code
 * warmupIterations}, then cosine decay to {@code minValue} at {@code totalIterations}, constant
 * {@code minValue} afterwards.
 *
 * <pre>
 * i &lt; W:      value = base * i / W
 * W &lt;= i &lt; T: value = min + (base - min) * (1 + cos(pi * (i - W) / (T - W))) / 2
 * i &gt;= T:     value = min
 * </pre>
 *
 * <p>Immutable; survives DL4J's JSON round trip (shaded Jackson), so it can be stored inside a
 * {@code ComputationGraphConfiguration}.
 *
 * <pre>{@code
 * ISchedule lr = new WarmupCosineSchedule(1e-3, 1e-5, 100, 5_000);
 * TrainingConfig cfg = TrainingConfig.builder(256).maxSteps(5_000).learningRateSchedule(lr).build();
 * }</pre>
 */
public final class WarmupCosineSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;

  @JsonProperty("baseValue")
  private final double baseValue;

  @JsonProperty("minValue")
  private final double minValue;

  @JsonProperty("warmupIterations")
  private final int warmupIterations;

  @JsonProperty("totalIterations")
  private final int totalIterations;

  /**
   * @param baseValue peak value reached at the end of warm-up; finite and &gt; 0
   * @param minValue final value; in [0, baseValue]
   * @param warmupIterations W, iterations of linear warm-up; &gt;= 0 (0 = no warm-up)
   * @param totalIterations T, iteration at which the cosine reaches {@code minValue}; &gt; W
   * @throws IllegalArgumentException if a value is outside its range
   */
  public WarmupCosineSchedule(
      @JsonProperty("baseValue") double baseValue,
      @JsonProperty("minValue") double minValue,
      @JsonProperty("warmupIterations") int warmupIterations,
      @JsonProperty("totalIterations") int totalIterations) {
    if (!(baseValue > 0) || Double.isInfinite(baseValue)) {
      throw new IllegalArgumentException(
          "WarmupCosineSchedule baseValue must be finite and > 0, got " + baseValue
              + "; pass the peak learning rate, e.g. 1e-3");
    }
    if (!(minValue >= 0 && minValue <= baseValue)) {
      throw new IllegalArgumentException(
          "WarmupCosineSchedule minValue must be in [0, baseValue=" + baseValue + "], got "
              + minValue + "; use e.g. 0 or baseValue/100");
    }
    if (warmupIterations < 0) {
      throw new IllegalArgumentException(
          "WarmupCosineSchedule warmupIterations must be >= 0, got " + warmupIterations
              + "; use 0 for no warm-up");
    }
    if (totalIterations <= warmupIterations) {
      throw new IllegalArgumentException(
          "WarmupCosineSchedule totalIterations must be > warmupIterations (" + warmupIterations
              + "), got " + totalIterations
              + "; set it to the planned number of training steps (epochs * steps per epoch)");
    }
    this.baseValue = baseValue;
    this.minValue = minValue;
    this.warmupIterations = warmupIterations;
    this.totalIterations = totalIterations;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    if (iteration < warmupIterations) {
      return baseValue * iteration / warmupIterations;
    }
    if (iteration >= totalIterations) {
      return minValue;
    }
    double progress = (double) (iteration - warmupIterations) / (totalIterations - warmupIterations);
    return minValue + (baseValue - minValue) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  @Override
  public ISchedule clone() {
    return this; // immutable
  }

  public double getBaseValue() {
    return baseValue;
  }

  public double getMinValue() {
    return minValue;
  }

  public int getWarmupIterations() {
    return warmupIterations;
  }

  public int getTotalIterations() {
    return totalIterations;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WarmupCosineSchedule s
        && Double.compare(s.baseValue, baseValue) == 0
        && Double.compare(s.minValue, minValue) == 0
        && s.warmupIterations == warmupIterations
        && s.totalIterations == totalIterations;
  }

  @Override
  public int hashCode() {
    return Objects.hash(baseValue, minValue, warmupIterations, totalIterations);
  }

  @Override
  public String toString() {
    return "WarmupCosineSchedule(base=" + baseValue + ", min=" + minValue + ", warmup="
        + warmupIterations + ", total=" + totalIterations + ")";
  }
}
