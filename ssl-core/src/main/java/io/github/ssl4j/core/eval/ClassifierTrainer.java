package io.github.ssl4j.core.eval;

/**
 * Trains a {@link Classifier} on labelled data, for example a linear probe, a kNN bank or a
 * fine-tuned network. Used by {@link FewLabelProtocol} to compare training recipes on the same
 * label subsets.
 *
 * <pre>{@code
 * ClassifierTrainer knn = KnnClassifier.builder().k(20).build();
 * ClassifierTrainer probe = LinearProbe.builder().epochs(20).build();
 * ClassifierTrainer custom = subset -> x -> myPredict(x); // any lambda
 * }</pre>
 */
@FunctionalInterface
public interface ClassifierTrainer {

  /**
   * Trains a classifier.
   *
   * @param subset training examples; features shape [n, ...]
   * @return the trained classifier; must not retain or mutate {@code subset} in ways visible to
   *     the caller
   */
  Classifier train(LabelledData subset);

  /**
   * Trains a classifier for one repeat of a protocol. Trainers with randomness of their own
   * (initialisation, shuffling) should derive it from {@code seed}, so that repeats differ in
   * more than the labelled subset; the default ignores the seed and calls {@link
   * #train(LabelledData)}.
   *
   * @param subset training examples; features shape [n, ...]
   * @param seed the repeat's seed
   */
  default Classifier train(LabelledData subset, long seed) {
    return train(subset);
  }
}
