package io.github.ssl4j.tasks.masked;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch prepared for masked language modelling by {@link MlmMasker}. All three arrays have
 * shape [batch, length]; they are fresh arrays the caller owns.
 *
 * @param inputs the corrupted token ids fed to the model (same data type as the ids given to the
 *     masker)
 * @param labels the original token ids at every position (same data type as the input ids); only
 *     positions with {@code labelMask == 1} are prediction targets
 * @param labelMask FLOAT, 1 at the positions selected for prediction (whether replaced by
 *     [MASK], by a random token or kept), 0 elsewhere; the loss mask
 */
public record MaskedTokens(INDArray inputs, INDArray labels, INDArray labelMask) {

  /** Checks that all three arrays are present. */
  public MaskedTokens {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(labelMask, "labelMask");
  }
}
