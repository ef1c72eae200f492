package io.github.ssl4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints of a Spark run on any Hadoop file system: {@code checkpoint-<step>.zip} holding
 * {@code model.zip} (DL4J {@code ModelSerializer}, updater state included) and {@code
 * spark-state.json} (counters, fingerprint, loss history). Each is written to a hidden temporary
 * file and renamed into place, so a reader sees no file or a complete one (rename is atomic on
 * HDFS and local file systems; on object stores such as S3 it is a copy, and a killed write leaves
 * at worst a stray {@code .tmp} file, never a truncated checkpoint under the final name).
 */
final class HadoopCheckpoints {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MODEL_ENTRY = "model.zip";
  static final String STATE_ENTRY = "spark-state.json";
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\.zip");

  private final Path dir;
  private final FileSystem fs;

  /** A checkpoint read back: the model bytes and the state. */
  record Loaded(String file, byte[] model, JsonNode state) {}

  HadoopCheckpoints(String dir, Configuration hadoop) {
    this.dir = new Path(dir);
    try {
      this.fs = this.dir.getFileSystem(hadoop);
    } catch (IOException e) {
      throw new UncheckedIOException("No Hadoop file system for checkpoint path " + dir + ": " + e.getMessage()
          + "; check the URI scheme and the cluster's Hadoop configuration", e);
    }
  }

  /** Writes the checkpoint of {@code step} and deletes all but the newest {@code keep}; returns its URI. */
  String write(long step, byte[] model, ObjectNode state, int keep) {
    Path file = new Path(dir, "checkpoint-" + step + ".zip");
    Path tmp = new Path(dir, ".checkpoint-" + step + ".zip.tmp");
    try {
      fs.mkdirs(dir);
      try (OutputStream out = fs.create(tmp, true); ZipOutputStream zip = new ZipOutputStream(out)) {
        put(zip, MODEL_ENTRY, model);
        put(zip, STATE_ENTRY, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
      }
      if (fs.exists(file)) {
        fs.delete(file, false);
      }
      if (!fs.rename(tmp, file)) {
        throw new IOException("rename of " + tmp + " to " + file + " failed");
      }
      List<FileStatus> all = list();
      for (int i = 0; i < all.size() - keep; i++) {
        fs.delete(all.get(i).getPath(), false);
      }
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the checkpoint of step " + step + " into " + dir + ": "
          + e.getMessage() + "; check the path, free space and permissions (earlier checkpoints are intact)", e);
    }
  }

  /** The checkpoints of the directory, oldest first; empty if it does not exist. */
  List<FileStatus> list() throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    List<FileStatus> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      if (NAME.matcher(s.getPath().getName()).matches()) {
        out.add(s);
      }
    }
    out.sort(Comparator.comparingLong(s -> stepOf(s.getPath())));
    return out;
  }

  /** Reads one checkpoint completely. @throws IllegalArgumentException if it is truncated or corrupt */
  Loaded read(Path file) {
    byte[] model = null;
    JsonNode state = null;
    try (InputStream in = fs.open(file); ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        byte[] bytes = zip.readAllBytes();
        if (MODEL_ENTRY.equals(e.getName())) {
          model = bytes;
        } else if (STATE_ENTRY.equals(e.getName())) {
          state = JSON.readTree(bytes);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Checkpoint " + file + " cannot be read (" + e + "); it is truncated"
          + " or corrupt. Resume from an earlier checkpoint", e);
    }
    if (model == null || state == null) {
      throw new IllegalArgumentException("Checkpoint " + file + " lacks " + (model == null ? MODEL_ENTRY : STATE_ENTRY)
          + "; it is truncated or not a checkpoint of ssl-spark. Resume from an earlier checkpoint");
    }
    return new Loaded(file.toString(), model, state);
  }

  String dir() {
    return dir.toString();
  }

  static long stepOf(Path p) {
    Matcher m = NAME.matcher(p.getName());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }

}
