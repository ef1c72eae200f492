package io.github.ssl4j.core.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ssl4j.core.ModelMetadata;
import io.github.ssl4j.core.io.AtomicFiles;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Checkpoint files: {@code checkpoint-<step>.zip} holding {@code model.zip} (DL4J model with updater
 * state), {@code trainer-state.json} and {@code metadata.json} (and {@code method-state.bin} for a
 * task with a {@link io.github.ssl4j.core.MethodState}); plus {@code run.json} (the owning
 * run) and the loss history files. Writes go to a temporary file in the same directory that is then
 * renamed into place, so an existing file is never half-written.
 */
final class Checkpoints {
  static final String MODEL_ENTRY = "model.zip";
  static final String STATE_ENTRY = "trainer-state.json";
  static final String METADATA_ENTRY = "metadata.json";
  /** Arrays of a stateful method's {@link io.github.ssl4j.core.MethodState}; only when it has one. */
  static final String METHOD_STATE_ENTRY = "method-state.bin";
  static final String RUN_FILE = "run.json";
  static final int FORMAT = 1;
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\.zip");

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private Checkpoints() {}

  /** The owner of a checkpoint directory. */
  record RunInfo(String runId, String taskId, long seed, String configFingerprint) {
    boolean sameOwner(RunInfo o) {
      return taskId.equals(o.taskId) && seed == o.seed && configFingerprint.equals(o.configFingerprint);
    }

    String describe() {
      return "task '" + taskId + "', seed " + seed + ", config fingerprint " + configFingerprint
          + " (run " + runId + ")";
    }
  }

  /**
   * A fully read and checked checkpoint; nothing is constructed from it yet. {@code methodState} is
   * null when the run's task has no method state.
   */
  record Loaded(Path file, byte[] model, JsonNode state, ModelMetadata metadata, byte[] methodState) {}

  static Path fileFor(Path dir, long step) {
    return dir.resolve("checkpoint-" + step + ".zip");
  }

  /** Checkpoint files in {@code dir}, oldest (lowest step) first. */
  static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(out::add);
    }
    out.sort((a, b) -> Long.compare(stepOf(a), stepOf(b)));
    return out;
  }

  static long stepOf(Path p) {
    Matcher m = NAME.matcher(p.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Reads {@code run.json}, or null if absent; ISE if unreadable. */
  static RunInfo readRun(Path dir) {
    Path f = dir.resolve(RUN_FILE);
    if (!Files.exists(f)) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(f.toFile());
      return new RunInfo(
          n.path("runId").asText("?"),
          n.get("taskId").asText(),
          n.get("seed").asLong(),
          n.get("configFingerprint").asText());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "Checkpoint directory " + dir + " has an unreadable " + RUN_FILE + " (" + e.getMessage()
              + "); it does not look like a directory written by this trainer. Choose a new, empty"
              + " checkpoint directory.", e);
    }
  }

  static void writeRun(Path dir, RunInfo run) throws IOException {
    Map<String, Object> m = new HashMap<>();
    m.put("runId", run.runId());
    m.put("taskId", run.taskId());
    m.put("seed", run.seed());
    m.put("configFingerprint", run.configFingerprint());
    m.put("format", FORMAT);
    AtomicFiles.write(dir.resolve(RUN_FILE), JSON.writeValueAsBytes(m));
  }

  /**
   * Writes a checkpoint atomically and deletes all but the last {@code keep}; {@code methodState}
   * (null: none) goes into {@link #METHOD_STATE_ENTRY} with its checksum in the state.
   */
  static Path write(Path dir, long step, byte[] model, ObjectNode state, ModelMetadata metadata, int keep,
      byte[] methodState) throws IOException {
    Files.createDirectories(dir);
    state.put("modelSha256", sha256(model));
    if (methodState != null) {
      state.put("methodStateSha256", sha256(methodState));
    }
    Path target = fileFor(dir, step);
    AtomicFiles.write(target, os -> {
      ZipOutputStream zip = new ZipOutputStream(os);
      putEntry(zip, STATE_ENTRY, JSON.writeValueAsBytes(state));
      putEntry(zip, METADATA_ENTRY, JSON.writeValueAsBytes(metadata));
      putEntry(zip, MODEL_ENTRY, model);
      if (methodState != null) {
        putEntry(zip, METHOD_STATE_ENTRY, methodState);
      }
      zip.finish();
    });
    List<Path> all = list(dir);
    for (int i = 0; i < all.size() - keep; i++) {
      Files.deleteIfExists(all.get(i));
    }
    return target;
  }

  private static void putEntry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }

  /**
   * The checkpoint to resume from: {@code path} itself if it is a file, else the newest checkpoint
   * in the directory.
   */
  static Path resolve(Path path) {
    if (Files.isDirectory(path)) {
      try {
        List<Path> all = list(path);
        if (all.isEmpty()) {
          throw new IllegalArgumentException(
              "No checkpoint-<step>.zip found in " + path + "; pass the checkpoint directory of an"
                  + " earlier run (TrainingConfig.checkpointDir) or a checkpoint file");
        }
        return all.get(all.size() - 1);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not list checkpoints in " + path + ": " + e.getMessage(), e);
      }
    }
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(
          "Checkpoint " + path + " does not exist; pass a checkpoint-<step>.zip file or the"
              + " checkpoint directory of an earlier run");
    }
    return path;
  }

  /** Reads every entry and checks the model checksum. */
  static Loaded read(Path file) {
    Map<String, byte[]> entries = new HashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (String name : List.of(MODEL_ENTRY, STATE_ENTRY, METADATA_ENTRY)) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
          throw new IllegalArgumentException(
              "Checkpoint " + file + " is incomplete: entry '" + name + "' is missing (expected "
                  + MODEL_ENTRY + ", " + STATE_ENTRY + ", " + METADATA_ENTRY
                  + "); resume from an earlier checkpoint of the run");
        }
        try (InputStream in = zip.getInputStream(e)) {
          entries.put(name, in.readAllBytes());
        }
      }
      ZipEntry method = zip.getEntry(METHOD_STATE_ENTRY);
      if (method != null) {
        try (InputStream in = zip.getInputStream(method)) {
          entries.put(METHOD_STATE_ENTRY, in.readAllBytes());
        }
      }
    } catch (ZipException | EOFException e) {
      throw corrupt(file, e);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("Checkpoint " + file + " does not exist", e);
    } catch (IOException e) {
      if (e.getCause() instanceof java.util.zip.DataFormatException) {
        throw corrupt(file, e);
      }
      throw new UncheckedIOException("Could not read checkpoint " + file + ": " + e.getMessage(), e);
    }
    JsonNode state;
    ModelMetadata metadata;
    try {
      state = JSON.readTree(entries.get(STATE_ENTRY));
      metadata = JSON.readValue(entries.get(METADATA_ENTRY), ModelMetadata.class);
    } catch (IOException e) {
      throw corrupt(file, e);
    }
    for (String field : List.of("format", "taskId", "configFingerprint", "seed", "epoch",
        "batchInEpoch", "globalStep", "elapsedSeconds", "lossHistory", "modelSha256", "runId")) {
      if (state == null || !state.hasNonNull(field)) {
        throw new IllegalArgumentException(
            "Checkpoint " + file + " has no '" + field + "' in " + STATE_ENTRY
                + "; it was not written by this trainer or is corrupt. Resume from another checkpoint");
      }
    }
    if (state.get("format").asInt() != FORMAT) {
      throw new IllegalArgumentException(
          "Checkpoint " + file + " has format " + state.get("format").asInt() + ", this trainer reads format "
              + FORMAT + "; resume it with the ssl4j version that wrote it");
    }
    String want = state.get("modelSha256").asText();
    String got = sha256(entries.get(MODEL_ENTRY));
    if (!want.equals(got)) {
      throw new IllegalArgumentException(
          "Checkpoint " + file + " is corrupt: model checksum " + got + " differs from the recorded "
              + want + "; resume from an earlier checkpoint of the run");
    }
    byte[] methodState = entries.get(METHOD_STATE_ENTRY);
    if (state.hasNonNull("methodStateSha256")) {
      String wantMethod = state.get("methodStateSha256").asText();
      String gotMethod = methodState == null ? "none (entry missing)" : sha256(methodState);
      if (!wantMethod.equals(gotMethod)) {
        throw new IllegalArgumentException(
            "Checkpoint " + file + " is corrupt: method state (" + METHOD_STATE_ENTRY + ") checksum "
                + gotMethod + " differs from the recorded " + wantMethod
                + "; resume from an earlier checkpoint of the run");
      }
    }
    return new Loaded(file, entries.get(MODEL_ENTRY), state, metadata, methodState);
  }

  static List<LossRecord> history(JsonNode state) {
    return JSON.convertValue(state.get("lossHistory"), new TypeReference<List<LossRecord>>() {});
  }

  private static IllegalArgumentException corrupt(Path file, Exception e) {
    long size = -1;
    try {
      size = Files.size(file);
    } catch (IOException ignored) {
      // size stays unknown
    }
    return new IllegalArgumentException(
        "Checkpoint " + file + " (" + size + " bytes) is truncated or corrupt and cannot be read ("
            + e.getMessage() + "); it is not a complete checkpoint zip. Resume from an earlier"
            + " checkpoint of the run (checkpoint-<step>.zip in the same directory)", e);
  }

  static void writeHistory(Path dir, List<LossRecord> history) throws IOException {
    StringBuilder csv = new StringBuilder("step,epoch,loss,learning_rate,seconds\n");
    for (LossRecord r : history) {
      csv.append(r.step()).append(',').append(r.epoch()).append(',').append(r.loss()).append(',')
          .append(r.learningRate()).append(',')
          .append(String.format(Locale.ROOT, "%.3f", r.seconds())).append('\n');
    }
    AtomicFiles.write(dir.resolve("loss-history.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(dir.resolve("loss-history.json"), JSON.writeValueAsBytes(history));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 not available", e);
    }
  }
}
