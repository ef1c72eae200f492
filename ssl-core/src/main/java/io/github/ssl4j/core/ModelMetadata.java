package io.github.ssl4j.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a saved model says about itself: stored as JSON next to the DL4J model in every checkpoint
 * and pretrained-encoder file.
 *
 * @param taskId pretext task id ({@link PretextTask#id()})
 * @param taskConfig the task's settings ({@link PretextTask#config()})
 * @param encoderDescription {@link Encoder#describe()}
 * @param encoderInputType DL4J {@code InputType.toString()} of the encoder input
 * @param encoderBlocks {@link Encoder#blockOutputs()}
 * @param representationSize length of the representation vector
 * @param seed the run's seed
 * @param trainingSteps optimiser steps taken when the file was written
 * @param ssl4jVersion library version that wrote the file
 * @param dl4jVersion DL4J version that wrote the file
 * @param createdAt ISO-8601 instant
 */
public record ModelMetadata(
    String taskId,
    Map<String, Object> taskConfig,
    String encoderDescription,
    String encoderInputType,
    List<String> encoderBlocks,
    int representationSize,
    long seed,
    long trainingSteps,
    String ssl4jVersion,
    String dl4jVersion,
    String createdAt) {

  public ModelMetadata {
    taskConfig = Map.copyOf(Objects.requireNonNull(taskConfig, "taskConfig"));
    encoderBlocks = List.copyOf(Objects.requireNonNull(encoderBlocks, "encoderBlocks"));
  }
}
