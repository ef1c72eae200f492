package io.github.ssl4j.cli;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pretraining method as the {@code ssl4j} command offers it: the task, the encoders it can train
 * on images of a given shape, and how images become the encoder's input. Register one in {@link
 * Methods}.
 */
public interface PretrainingMethod {

  /** One line for {@code ssl4j methods} and {@code --help}. */
  String description();

  /** The encoder presets, the default first. */
  List<String> encoderPresets();

  /**
   * The pretext task for images of this shape.
   *
   * @throws IllegalArgumentException if the method cannot train on such images (the message says
   *     what would work)
   */
  PretextTask task(ImageShape images);

  /**
   * The encoder of a preset for images of this shape.
   *
   * @param preset one of {@link #encoderPresets()}
   * @throws IllegalArgumentException for an unknown preset or an unsuitable shape
   */
  Encoder encoder(String preset, ImageShape images);

  /**
   * The examples the task's {@code prepare} receives in pretraining, for a batch of images.
   *
   * @param images [n, channels, height, width], values in [0, 1]
   * @return the task's examples; by default the images themselves
   */
  default INDArray taskInput(INDArray images) {
    return images;
  }

  /**
   * The encoder's input for a batch of images, for embedding and evaluation.
   *
   * @param images [n, channels, height, width], values in [0, 1]
   * @return the encoder's input; by default the images themselves
   */
  default INDArray encoderInput(INDArray images) {
    return images;
  }
}
