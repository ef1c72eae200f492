package io.github.ssl4j.tasks.masked;

import io.github.ssl4j.core.text.Vocabulary;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT masking of token-id batches for masked language modelling: every regular token (id &gt;=
 * {@link Vocabulary#FIRST_REGULAR_ID}) is selected independently with probability {@code
 * selectProbability} (default 0.15; a Bernoulli draw
 * per token, so the count per batch varies); a selected token becomes {@link Vocabulary#MASK} with
 * probability {@code maskFraction} (0.8), a uniformly random regular token with probability {@code
 * randomFraction} (0.1; it may by chance equal the original, as in BERT) and stays unchanged
 * otherwise (0.1). Special tokens — [PAD], [UNK], [CLS], [SEP], [MASK] — are never selected (note
 * that [UNK] is not a target either).
 *
 * <p>Immutable and thread-safe; all randomness comes from the caller's generator, drawn position by
 * position in row-major order — for each regular token one {@code nextDouble()} (selection) and,
 * if selected, one {@code nextDouble()} (kind) and for a random replacement one {@code
 * nextInt(FIRST_REGULAR_ID, vocabSize)} — so the same generator state gives the same batch.
 *
 * <pre>{@code
 * MlmMasker masker = MlmMasker.bert(vocab.size());
 * MaskedTokens batch = masker.mask(source.get(indices), new SplittableRandom(seed));
 * // batch.inputs() -> model, batch.labels() + batch.labelMask() -> loss
 * }</pre>
 */
public final class MlmMasker {
  private final int vocabSize;
  private final double selectProbability;
  private final double maskFraction;
  private final double randomFraction;

  private MlmMasker(Builder b) {
    this.vocabSize = b.vocabSize;
    this.selectProbability = b.selectProbability;
    this.maskFraction = b.maskFraction;
    this.randomFraction = b.randomFraction;
  }

  /**
   * A builder with BERT's defaults (select 0.15; 0.8 [MASK], 0.1 random, 0.1 unchanged).
   *
   * @param vocabSize number of token ids including the 5 specials, &gt; {@link
   *     Vocabulary#FIRST_REGULAR_ID} (e.g. 8,005); random replacements are drawn from [5, vocabSize)
   */
  public static Builder builder(int vocabSize) {
    return new Builder(vocabSize);
  }

  /**
   * BERT's masking (Devlin et al. 2019) for a vocabulary of {@code vocabSize} ids: each regular
   * token selected with probability 0.15; of the selected, 80 % become [MASK], 10 % a random
   * regular token, 10 % stay unchanged.
   */
  public static MlmMasker bert(int vocabSize) {
    return builder(vocabSize).build();
  }

  /** Number of token ids, specials included. */
  public int vocabSize() {
    return vocabSize;
  }

  /** Probability that a regular token is selected as a prediction target. */
  public double selectProbability() {
    return selectProbability;
  }

  /** Fraction of selected tokens replaced by [MASK]. */
  public double maskFraction() {
    return maskFraction;
  }

  /** Fraction of selected tokens replaced by a random regular token. */
  public double randomFraction() {
    return randomFraction;
  }

  /**
   * Masks a batch of token ids.
   *
   * @param ids token ids, shape [batch, length], any numeric type holding whole numbers in [0,
   *     vocabSize); not modified
   * @param rng source of all randomness
   * @return corrupted inputs, original labels and the label mask, each [batch, length]
   * @throws IllegalArgumentException if the shape is not [batch, length] or an id is out of range
   */
  public MaskedTokens mask(INDArray ids, RandomGenerator rng) {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(rng, "rng");
    if (ids.rank() != 2 || ids.size(0) < 1 || ids.size(1) < 1) {
      throw new IllegalArgumentException(
          "MlmMasker needs token ids of shape [batch, length], got shape " + Arrays.toString(ids.shape())
              + "; stack windows with TokenWindows.toArray or a TokenWindowSource");
    }
    int[] original = toIds(ids);
    int[] inputs = original.clone();
    float[] labelMask = new float[original.length];
    for (int i = 0; i < original.length; i++) {
      if (original[i] < Vocabulary.FIRST_REGULAR_ID || rng.nextDouble() >= selectProbability) {
        continue;
      }
      labelMask[i] = 1f;
      double r = rng.nextDouble();
      if (r < maskFraction) {
        inputs[i] = Vocabulary.MASK;
      } else if (r < maskFraction + randomFraction) {
        inputs[i] = rng.nextInt(Vocabulary.FIRST_REGULAR_ID, vocabSize);
      }
    }
    long[] shape = ids.shape();
    DataType type = ids.dataType();
    return new MaskedTokens(
        array(inputs, shape, type),
        array(original, shape, type),
        Nd4j.createFromArray(labelMask).reshape(shape));
  }

  /** {@code {"masking":"bert","vocabSize":..,"selectProbability":..,"maskFraction":..,"randomFraction":..}}. */
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("masking", "bert");
    m.put("vocabSize", vocabSize);
    m.put("selectProbability", selectProbability);
    m.put("maskFraction", maskFraction);
    m.put("randomFraction", randomFraction);
    return Collections.unmodifiableMap(m);
  }

  @Override
  public String toString() {
    return "MlmMasker" + config();
  }

  private int[] toIds(INDArray ids) {
    double[] values = ids.dup('c').data().asDouble();
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (!(v >= 0 && v < vocabSize) || v != Math.rint(v)) {
        long n = ids.size(1);
        throw new IllegalArgumentException(
            "token id " + v + " at [" + i / n + ", " + i % n + "] is not a whole number in [0, "
                + vocabSize + "); the ids must come from the vocabulary the masker was built for"
                + " (MlmMasker.bert(vocab.size()))");
      }
      out[i] = (int) v;
    }
    return out;
  }

  private static INDArray array(int[] values, long[] shape, DataType type) {
    INDArray a = Nd4j.createFromArray(values).reshape(shape);
    return type == DataType.INT32 ? a : a.castTo(type);
  }

  /** Builder of {@link MlmMasker}; {@link #build()} validates. */
  public static final class Builder {
    private final int vocabSize;
    private double selectProbability = 0.15;
    private double maskFraction = 0.8;
    private double randomFraction = 0.1;

    private Builder(int vocabSize) {
      this.vocabSize = vocabSize;
    }

    /** Probability that a regular token is selected, in (0, 1]; default 0.15. */
    public Builder selectProbability(double p) {
      this.selectProbability = p;
      return this;
    }

    /** Fraction of selected tokens replaced by [MASK], in [0, 1]; default 0.8. */
    public Builder maskFraction(double f) {
      this.maskFraction = f;
      return this;
    }

    /**
     * Fraction of selected tokens replaced by a random regular token, in [0, 1] with {@code
     * maskFraction + randomFraction <= 1}; default 0.1. The rest stay unchanged.
     */
    public Builder randomFraction(double f) {
      this.randomFraction = f;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a value is out of range (the message says which, the
     *     value and the allowed range)
     */
    public MlmMasker build() {
      if (vocabSize <= Vocabulary.FIRST_REGULAR_ID) {
        throw new IllegalArgumentException(
            "MlmMasker vocabSize must be > " + Vocabulary.FIRST_REGULAR_ID + " (the special tokens"
                + " plus at least one regular token), got " + vocabSize + "; pass vocabulary.size()");
      }
      if (!(selectProbability > 0 && selectProbability <= 1)) {
        throw new IllegalArgumentException(
            "MlmMasker selectProbability must be in (0, 1], got " + selectProbability + "; BERT uses 0.15");
      }
      if (!(maskFraction >= 0 && maskFraction <= 1)) {
        throw new IllegalArgumentException(
            "MlmMasker maskFraction must be in [0, 1], got " + maskFraction + "; BERT uses 0.8");
      }
      if (!(randomFraction >= 0 && randomFraction <= 1)) {
        throw new IllegalArgumentException(
            "MlmMasker randomFraction must be in [0, 1], got " + randomFraction + "; BERT uses 0.1");
      }
      if (maskFraction + randomFraction > 1 + 1e-12) {
        throw new IllegalArgumentException(
            "MlmMasker maskFraction + randomFraction must be <= 1, got " + maskFraction + " + "
                + randomFraction + "; the remainder is the fraction of selected tokens left unchanged");
      }
      return new MlmMasker(this);
    }
  }
}
