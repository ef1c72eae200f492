package io.github.ssl4j.core.train;

/**
 * Training diverged: the loss or the parameters became NaN or infinite. The message names the step
 * and the value and suggests fixes; checkpoints written before the divergence are left intact.
 */
public class DivergenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long step;
  private final double value;

  /**
   * @param step 1-based global step at which divergence was detected
   * @param value the offending value (loss, or sum of parameters)
   * @param message full message
   */
  public DivergenceException(long step, double value, String message) {
    super(message);
    this.step = step;
    this.value = value;
  }

  /** 1-based global step at which divergence was detected. */
  public long step() {
    return step;
  }

  /** The non-finite loss or parameter sum that was detected. */
  public double value() {
    return value;
  }
}
