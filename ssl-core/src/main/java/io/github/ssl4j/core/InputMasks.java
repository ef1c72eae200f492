package io.github.ssl4j.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Features masks for encoders of padded token ids ({@link TokenSequenceEncoder#paddingId()}). */
public final class InputMasks {
  private InputMasks() {}

  /**
   * @param ids token ids, shape [batch, length]
   * @param paddingId the padding id, or empty
   * @return [batch, length] mask in the ids' floating-point type (FLOAT for integer ids), 1 where {@code ids != paddingId}; null if {@code paddingId}
   *     is empty
   * @throws IllegalArgumentException if a padding id is given and {@code ids} is not [batch, length]
   */
  public static INDArray paddingMask(INDArray ids, OptionalInt paddingId) {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(paddingId, "paddingId");
    if (paddingId.isEmpty()) {
      return null;
    }
    if (ids.rank() != 2) {
      throw new IllegalArgumentException("token ids must have shape [batch, length], got shape "
          + Arrays.toString(ids.shape()) + "; stack the id windows of a TokenWindowSource");
    }
    return ids.neq(paddingId.getAsInt()).castTo(ids.dataType().isFPType() ? ids.dataType() : DataType.FLOAT);
  }
}
