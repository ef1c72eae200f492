package io.github.ssl4j.core.text;

import io.github.ssl4j.core.train.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A corpus prepared for masked language modelling: documents split by
 * document ({@link TrainTestSplit}), a {@link Vocabulary} built from the training part only, every
 * document encoded, cut into windows ({@link TokenWindows}) and wrapped as {@link
 * TokenWindowSource}s, plus the first window and the class of every document for a downstream
 * classification (e.g. ham/spam from the [CLS] / mean-pooled representation). Immutable.
 *
 * <pre>{@code
 * WindowedCorpus corpus = WindowedCorpus.builder().seed(0).build(documents);
 * ExampleSource pretrain = corpus.trainWindows();          // [n, 64] ids
 * Vocabulary vocab = corpus.vocabulary();                  // at most 8,005 ids
 * TokenWindowSource probeInputs = corpus.trainFirstWindows(); // one window per training mail
 * int[] probeLabels = corpus.trainLabels();                // index into classes()
 * }</pre>
 */
public final class WindowedCorpus {
  private final TrainTestSplit<Document> split;
  private final Vocabulary vocabulary;
  private final TokenWindowSource trainWindows;
  private final TokenWindowSource testWindows;
  private final TokenWindowSource trainFirstWindows;
  private final TokenWindowSource testFirstWindows;
  private final List<String> classes;
  private final int[] trainLabels;
  private final int[] testLabels;

  private WindowedCorpus(Builder b, List<Document> documents) {
    boolean labelled = documents.get(0).hasLabel();
    for (Document d : documents) {
      if (d.hasLabel() != labelled) {
        throw new IllegalArgumentException(
            "document " + d.source() + (labelled ? " has no label" : " has a label")
                + " but document " + documents.get(0).source() + (labelled ? " has one" : " has none")
                + "; label all documents or none");
      }
    }
    split = TrainTestSplit.of(documents, b.trainFraction, b.seed, b.permutation);
    List<String> trainTexts = split.train().stream().map(Document::text).toList();
    vocabulary = b.vocabularyLearner != null
        ? Objects.requireNonNull(b.vocabularyLearner.apply(trainTexts), "the vocabulary learner returned null")
        : Vocabulary.build(b.tokenizer, trainTexts, b.maxTokens, b.tieBreak);
    List<int[]> train = split.train().stream().map(d -> vocabulary.encode(d.text())).toList();
    List<int[]> test = split.test().stream().map(d -> vocabulary.encode(d.text())).toList();
    int[][] trw = TokenWindows.of(train, b.windowLength);
    if (trw.length == 0) {
      throw new IllegalArgumentException(
          "the " + train.size() + " training documents hold no tokens for tokenizer "
              + b.tokenizer.name() + "; check the reader (e.g. empty mail bodies) and the tokenizer");
    }
    int[][] tew = TokenWindows.of(test, b.windowLength);
    if (tew.length == 0) {
      throw new IllegalArgumentException(
          "the " + test.size() + " test documents hold no tokens; use more documents or a different seed");
    }
    trainWindows = TokenWindowSource.of(trw);
    testWindows = TokenWindowSource.of(tew);
    trainFirstWindows = TokenWindowSource.of(TokenWindows.firstWindows(train, b.windowLength));
    testFirstWindows = TokenWindowSource.of(TokenWindows.firstWindows(test, b.windowLength));
    if (labelled) {
      TreeSet<String> names = new TreeSet<>();
      documents.forEach(d -> names.add(d.label()));
      classes = List.copyOf(names);
      trainLabels = labels(split.train(), classes);
      testLabels = labels(split.test(), classes);
    } else {
      classes = List.of();
      trainLabels = null;
      testLabels = null;
    }
  }

  /**
   * A builder with the defaults: {@link WordTokenizer}, 8,000 regular tokens, {@link
   * Vocabulary.TieBreak#FIRST_OCCURRENCE}, windows of {@link TokenWindows#DEFAULT_LENGTH}, an 80 /
   * 20 split by {@link TrainTestSplit.Permutation#SEEDED_SHUFFLE} with seed {@link io.github.ssl4j.core.train.Seeds#DEFAULT} (42).
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The split of the documents (training part first in permutation order). */
  public TrainTestSplit<Document> split() {
    return split;
  }

  /** The vocabulary, built from the training documents only. */
  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** All windows of the training documents (empty documents have none), [n, length] ids. */
  public TokenWindowSource trainWindows() {
    return trainWindows;
  }

  /** All windows of the test documents, [n, length] ids. */
  public TokenWindowSource testWindows() {
    return testWindows;
  }

  /** The first window of every training document, in split order (empty ones: [CLS, PAD, ...]). */
  public TokenWindowSource trainFirstWindows() {
    return trainFirstWindows;
  }

  /** The first window of every test document, in split order. */
  public TokenWindowSource testFirstWindows() {
    return testFirstWindows;
  }

  /** Whether the documents carry labels. */
  public boolean isLabelled() {
    return trainLabels != null;
  }

  /** The distinct labels in sorted order (SpamAssassin: [ham, spam]); empty if unlabelled. */
  public List<String> classes() {
    return classes;
  }

  /**
   * The class index (into {@link #classes()}) of every training document, aligned with {@link
   * #trainFirstWindows()}; a copy.
   *
   * @throws IllegalStateException if the documents carry no labels
   */
  public int[] trainLabels() {
    return checkLabelled(trainLabels).clone();
  }

  /** As {@link #trainLabels()}, for the test documents. */
  public int[] testLabels() {
    return checkLabelled(testLabels).clone();
  }

  private static int[] checkLabelled(int[] labels) {
    if (labels == null) {
      throw new IllegalStateException(
          "the documents carry no labels (e.g. PlainTextReader); give every Document a label,"
              + " or check isLabelled() first");
    }
    return labels;
  }

  private static int[] labels(List<Document> docs, List<String> classes) {
    int[] out = new int[docs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Collections.binarySearch(classes, docs.get(i).label());
    }
    return out;
  }

  /** Settings of {@link WindowedCorpus}; defaults as listed at {@link WindowedCorpus#builder()}. */
  public static final class Builder {
    private Tokenizer tokenizer = WordTokenizer.INSTANCE;
    private int maxTokens = 8000;
    private Vocabulary.TieBreak tieBreak = Vocabulary.TieBreak.FIRST_OCCURRENCE;
    private int windowLength = TokenWindows.DEFAULT_LENGTH;
    private double trainFraction = 0.8;
    private long seed = Seeds.DEFAULT;
    private TrainTestSplit.Permutation permutation = TrainTestSplit.Permutation.SEEDED_SHUFFLE;
    private java.util.function.Function<List<String>, Vocabulary> vocabularyLearner;

    private Builder() {}

    /**
     * Makes the vocabulary from the training documents' texts instead of {@link
     * Vocabulary#build} with {@link #tokenizer} and {@link #maxTokens} (which are then unused),
     * e.g. a learnt WordPiece vocabulary, {@code texts -> trainer.train(texts)}, or a fixed one,
     * {@code texts -> bertVocabulary}.
     *
     * @param learner maps the training texts (in split order) to the vocabulary; null restores
     *     the default
     */
    public Builder vocabulary(java.util.function.Function<List<String>, Vocabulary> learner) {
      this.vocabularyLearner = learner;
      return this;
    }

    /** Tokenizer; default {@link WordTokenizer#INSTANCE}. */
    public Builder tokenizer(Tokenizer tokenizer) {
      this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
      return this;
    }

    /** Number of regular tokens in the vocabulary, &gt;= 1; default 8000. */
    public Builder maxTokens(int maxTokens) {
      this.maxTokens = maxTokens;
      return this;
    }

    /** Order of equal-count tokens; default {@link Vocabulary.TieBreak#FIRST_OCCURRENCE}. */
    public Builder tieBreak(Vocabulary.TieBreak tieBreak) {
      this.tieBreak = Objects.requireNonNull(tieBreak, "tieBreak");
      return this;
    }

    /** Window length including [CLS], &gt;= 2; default 64. */
    public Builder windowLength(int windowLength) {
      this.windowLength = windowLength;
      return this;
    }

    /** Fraction of documents for training, in (0, 1); default 0.8. */
    public Builder trainFraction(double trainFraction) {
      this.trainFraction = trainFraction;
      return this;
    }

    /** Seed of the split, &gt;= 0; default {@link Seeds#DEFAULT} (42). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The order in which documents are dealt to the two parts; default {@link
     * TrainTestSplit.Permutation#SEEDED_SHUFFLE}.
     */
    public Builder permutation(TrainTestSplit.Permutation permutation) {
      this.permutation = Objects.requireNonNull(permutation, "permutation");
      return this;
    }

    /**
     * Splits, builds the vocabulary and cuts the windows.
     *
     * @param documents at least 2 documents, all labelled or all unlabelled
     * @throws IllegalArgumentException if a setting is out of range or a part holds no tokens
     */
    public WindowedCorpus build(List<Document> documents) {
      Objects.requireNonNull(documents, "documents");
      if (maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens + "; e.g. 8000");
      }
      if (windowLength < 2) {
        throw new IllegalArgumentException(
            "windowLength must be >= 2 ([CLS] + at least one token), got " + windowLength + "; e.g. " + TokenWindows.DEFAULT_LENGTH);
      }
      if (documents.size() < 2) {
        throw new IllegalArgumentException(
            "need at least 2 documents to split into train and test, got " + documents.size());
      }
      return new WindowedCorpus(this, new ArrayList<>(documents));
    }
  }
}
