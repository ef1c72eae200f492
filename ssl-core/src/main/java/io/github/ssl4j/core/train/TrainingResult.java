package io.github.ssl4j.core.train;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.PretrainedEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What a {@link Trainer} run produced. Immutable except for the graph, which the caller now owns
 * (the trainer keeps no reference to it).
 *
 * @param graph the trained pretraining graph (encoder + heads + losses)
 * @param encoder the encoder the graph was built with
 * @param history loss per step, from step 1 of the run (including steps before a resume)
 * @param steps optimiser steps taken in total (global step)
 * @param epochs complete epochs taken in total
 * @param samplesPerSecond training throughput of this call (examples per wall-clock second)
 * @param dataWaitShare share of this call's step time the training thread waited for data, in [0, 1]
 * @param metadata model metadata describing the run
 */
public record TrainingResult(
    ComputationGraph graph,
    Encoder encoder,
    List<LossRecord> history,
    long steps,
    int epochs,
    double samplesPerSecond,
    double dataWaitShare,
    ModelMetadata metadata) {

  public TrainingResult {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoder, "encoder");
    history = List.copyOf(history);
    Objects.requireNonNull(metadata, "metadata");
  }

  /** Name of the encoder's output vertex in {@link #graph()}. */
  public String encoderOutputVertex() {
    return encoder.outputVertex();
  }

  /**
   * The trained encoder cut out of {@link #graph()} with {@link #metadata()}: a new encoder-only
   * graph that shares no arrays with the pretraining graph ({@link PretrainedEncoder#from}). Each
   * call cuts a new copy.
   *
   * <pre>{@code
   * PretrainedEncoder pretrained = new Trainer(config).fit(task, encoder, data).pretrainedEncoder();
   * pretrained.save(Path.of("encoder.zip"));
   * }</pre>
   */
  public PretrainedEncoder pretrainedEncoder() {
    return PretrainedEncoder.from(graph, encoder, metadata);
  }

  /** Loss of the last step, NaN if no step was taken. */
  public double finalLoss() {
    return history.isEmpty() ? Double.NaN : history.get(history.size() - 1).loss();
  }

  /**
   * Writes {@code loss-history.csv} and {@code loss-history.json} into {@code dir} (created if
   * missing).
   *
   * @throws UncheckedIOException if the files cannot be written
   */
  public void writeHistory(Path dir) {
    try {
      Checkpoints.writeHistory(dir, history);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write loss history into " + dir + ": " + e.getMessage(), e);
    }
  }
}
