package io.github.ssl4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ssl4j.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The output folder of {@code ssl4j pretrain}: {@value #ENCODER} (the pretrained encoder, {@code
 * PretrainedEncoder.load}), {@value #SETTINGS} (method, encoder preset and image shape, so {@code
 * embed} and {@code evaluate} prepare images as in pretraining) and {@value #CHECKPOINTS}/ (the
 * trainer's checkpoints and loss history, for {@code --resume}).
 *
 * @param dir the folder
 * @param method canonical method name
 * @param preset encoder preset
 * @param shape image shape
 */
record ModelDirectory(Path dir, String method, String preset, ImageShape shape) {
  static final String ENCODER = "encoder.zip";
  static final String SETTINGS = "ssl4j-cli.json";
  static final String CHECKPOINTS = "checkpoints";
  private static final ObjectMapper JSON = new ObjectMapper();

  Path encoder() {
    return dir.resolve(ENCODER);
  }

  Path checkpoints() {
    return dir.resolve(CHECKPOINTS);
  }

  /** Writes {@value #SETTINGS} atomically. */
  void writeSettings() {
    ObjectNode n = JSON.createObjectNode();
    n.put("method", method);
    n.put("encoderPreset", preset);
    n.put("channels", shape.channels());
    n.put("height", shape.height());
    n.put("width", shape.width());
    try {
      AtomicFiles.write(dir.resolve(SETTINGS), out -> out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n)));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + dir.resolve(SETTINGS) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a pretrain output folder (or the {@value #ENCODER} in it).
   *
   * @throws UncheckedIOException if it is not one (the message says what is missing)
   */
  static ModelDirectory read(Path modelDirOrEncoder) {
    Path dir = Files.isRegularFile(modelDirOrEncoder) ? modelDirOrEncoder.toAbsolutePath().getParent() : modelDirOrEncoder;
    Path settings = dir.resolve(SETTINGS);
    if (!Files.isRegularFile(settings) || !Files.isRegularFile(dir.resolve(ENCODER))) {
      throw new UncheckedIOException(new NoSuchFileException(dir.toAbsolutePath().toString(), null,
          "not a model folder of `ssl4j pretrain`: it must hold " + ENCODER + " and " + SETTINGS
              + "; pass the --output folder of a finished pretrain run"));
    }
    try {
      JsonNode n = JSON.readTree(settings.toFile());
      return new ModelDirectory(dir, Methods.canonical(n.get("method").asText()), n.get("encoderPreset").asText(),
          new ImageShape(n.get("channels").asInt(), n.get("height").asInt(), n.get("width").asInt()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Cannot read " + settings + " (" + e.getMessage()
          + "); it is damaged: run `ssl4j pretrain` again", e);
    }
  }
}
