package io.github.ssl4j.core;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A self-supervised pretext task: builds the pretraining graph around an {@link Encoder} and turns a
 * batch of unlabelled examples into the graph's inputs, targets and masks (its "collator").
 *
 * <p>Implementations are immutable and hold no randomness: every random choice in {@link #prepare}
 * comes from the generator passed in, so a batch is reproducible from (seed, step).
 *
 * <p>Graph conventions: the graph input that feeds the encoder is named {@link VertexNames#INPUT};
 * encoder vertices start with {@link VertexNames#ENCODER}, heads with {@link VertexNames#HEAD},
 * decoders with {@link VertexNames#DECODER} and loss layers with {@link VertexNames#LOSS}.
 */
public interface PretextTask {

  /** Stable identifier, e.g. {@code "contrastive"}; stored in checkpoints and model metadata. */
  String id();

  /**
   * Adds inputs, input types, the encoder, heads/decoder and loss layers to {@code graph} and sets
   * its outputs. The builder comes from the trainer with seed, updater, regularisation and data type
   * already set.
   *
   * @throws IllegalArgumentException if {@code encoder} is incompatible with this task (the message
   *     says what the task needs and what the encoder offers)
   */
  void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder);

  /**
   * Turns one batch of unlabelled examples into the task's training batch.
   *
   * @param examples unlabelled examples, shape [batch, ...] as delivered by the data source
   * @param rng the only source of randomness allowed; same generator state gives the same batch
   * @return features (in graph input order), labels (in graph output order) and optional masks
   */
  MultiDataSet prepare(INDArray examples, RandomGenerator rng);

  /** The task's settings for metadata and checkpoints (JSON-serialisable values). */
  Map<String, Object> config();

  /**
   * The loss of a model that has learnt nothing — it tells no example of a batch from another —
   * for batches of {@code batchSize} examples, if the task has such a level (e.g. {@code
   * ln(2N-1)} for a two-view contrastive loss over N images). A loss that stays there is a
   * collapsed representation: the trainer stops the run ({@link
   * io.github.ssl4j.core.train.DivergenceLimits#chanceLossSteps()}).
   *
   * @param batchSize examples per batch, &gt;= 1
   * @return the chance-level loss, or empty (the default) when the task has none
   */
  default OptionalDouble chanceLoss(int batchSize) {
    return OptionalDouble.empty();
  }

  /**
   * For a joint-embedding method (one that pulls the embeddings of views of an example together),
   * the graph vertex whose activations are those embeddings, shape [rows, size]. The trainer
   * measures their spread on the step's batch every few steps and stops a run whose embeddings all
   * point the same way ({@link
   * io.github.ssl4j.core.train.DivergenceLimits#embeddingCheckEverySteps()}).
   *
   * @return the vertex name, or empty (the default) for tasks where the check makes no sense
   *     (reconstruction and prediction tasks, whose outputs are not embeddings)
   */
  default Optional<String> embeddingVertex() {
    return Optional.empty();
  }
}
