package io.github.ssl4j.core.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A fixed token vocabulary together with the {@link Tokenizer} that produced it: maps text to token
 * ids and back, and saves to / loads from one JSON file, so a saved model can tokenise new text
 * exactly as in training.
 *
 * <p>Ids 0 to 4 are the special tokens, always in this order: {@link #PAD} = 0 {@code [PAD]}, {@link
 * #UNK} = 1 {@code [UNK]}, {@link #CLS} = 2 {@code [CLS]}, {@link #SEP} = 3 {@code [SEP]}, {@link
 * #MASK} = 4 {@code [MASK]} (BERT's special tokens). Regular tokens start at {@link
 * #FIRST_REGULAR_ID} = 5. {@link #build} orders them by descending count in the corpus and keeps
 * the {@code maxTokens} most frequent (e.g. 8,000, so 8,005 ids in all); count ties are broken by
 * {@link TieBreak#FIRST_OCCURRENCE} (default, as Python's {@code Counter.most_common}, so the same
 * texts in the same order give the same ids as a Python pipeline built on it) or {@link TieBreak#TOKEN_STRING}
 * (independent of the text order). Tokens not in the vocabulary encode to {@link #UNK}.
 *
 * <pre>{@code
 * Vocabulary vocab = Vocabulary.build(WordTokenizer.INSTANCE, trainTexts, 8000);
 * int[] ids = vocab.encode("Hello, world!");
 * vocab.save(dir.resolve("vocab.json"));
 * Vocabulary same = Vocabulary.load(dir.resolve("vocab.json"));
 * }</pre>
 */
public final class Vocabulary {
  /** Padding, id 0. */
  public static final int PAD = 0;
  /** Out-of-vocabulary token, id 1. */
  public static final int UNK = 1;
  /** Sequence start / classification token, id 2. */
  public static final int CLS = 2;
  /** Separator, id 3 (reserved; the built-in windowing does not use it). */
  public static final int SEP = 3;
  /** The mask token of masked language modelling, id 4. */
  public static final int MASK = 4;
  /** First id of a regular (non-special) token. */
  public static final int FIRST_REGULAR_ID = 5;
  /** The special token strings, indexed by id. */
  public static final List<String> SPECIAL_TOKENS =
      List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

  /** The {@code format} value of a saved vocabulary. */
  static final String FORMAT = "ssl4j-vocabulary";
  /** The {@code version} value of a saved vocabulary. */
  static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Tokenizer tokenizer;
  private final List<String> tokens;
  private final Map<String, Integer> ids;

  private Vocabulary(Tokenizer tokenizer, List<String> tokens, String source) {
    this.tokenizer = tokenizer;
    this.tokens = List.copyOf(tokens);
    Map<String, Integer> map = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (i < FIRST_REGULAR_ID) {
        if (!t.equals(SPECIAL_TOKENS.get(i))) {
          throw new IllegalArgumentException(
              source + ": id " + i + " is '" + t + "' but must be the special token "
                  + SPECIAL_TOKENS.get(i) + "; the first five tokens must be " + SPECIAL_TOKENS);
        }
      } else if (t.isEmpty()) {
        throw new IllegalArgumentException(source + ": id " + i + " is the empty string; tokens must be non-empty");
      }
      Integer previous = map.put(t, i);
      if (previous != null) {
        throw new IllegalArgumentException(
            source + ": token '" + t + "' appears twice (ids " + previous + " and " + i
                + "); every token must be unique");
      }
    }
    this.ids = Collections.unmodifiableMap(map);
  }

  /** How {@link #build} orders tokens of equal count. */
  public enum TieBreak {
    /**
     * The token seen first in the corpus comes first, as Python's {@code
     * Counter(...).most_common(n)}; depends on the order of the texts.
     */
    FIRST_OCCURRENCE,
    /** Ascending {@link String#compareTo} order; independent of the order of the texts. */
    TOKEN_STRING
  }

  /**
   * Builds a vocabulary from a corpus with the default tie-break ({@link TieBreak#FIRST_OCCURRENCE}).
   *
   * @see #build(Tokenizer, Iterable, int, TieBreak)
   */
  public static Vocabulary build(Tokenizer tokenizer, Iterable<String> texts, int maxTokens) {
    return build(tokenizer, texts, maxTokens, TieBreak.FIRST_OCCURRENCE);
  }

  /**
   * Builds a vocabulary from a corpus: the special tokens, then the {@code maxTokens} most frequent
   * tokens of {@code texts} (descending count, ties as {@code tieBreak}). Tokens equal to a special
   * token string are not counted.
   *
   * @param tokenizer splits each text
   * @param texts the corpus (e.g. the training split's texts only, in split order)
   * @param maxTokens number of regular tokens to keep, &gt;= 1 (e.g. 8000); fewer if the corpus has
   *     fewer distinct tokens
   * @param tieBreak order of tokens with equal counts
   */
  public static Vocabulary build(
      Tokenizer tokenizer, Iterable<String> texts, int maxTokens, TieBreak tieBreak) {
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(texts, "texts");
    Objects.requireNonNull(tieBreak, "tieBreak");
    if (maxTokens < 1) {
      throw new IllegalArgumentException(
          "maxTokens must be >= 1, got " + maxTokens + "; e.g. 8000 keeps the 8000 most frequent tokens");
    }
    Map<String, long[]> counts = new LinkedHashMap<>(); // first-occurrence order
    for (String text : texts) {
      for (String t : tokenizer.tokenize(text)) {
        counts.computeIfAbsent(t, k -> new long[1])[0]++;
      }
    }
    SPECIAL_TOKENS.forEach(counts::remove);
    List<Map.Entry<String, long[]>> entries = new ArrayList<>(counts.entrySet());
    // List.sort is stable: without a string tie-break, equal counts keep first-occurrence order
    entries.sort(
        (a, b) -> {
          int c = Long.compare(b.getValue()[0], a.getValue()[0]);
          return c != 0 || tieBreak == TieBreak.FIRST_OCCURRENCE ? c : a.getKey().compareTo(b.getKey());
        });
    List<String> tokens = new ArrayList<>(SPECIAL_TOKENS);
    for (int i = 0; i < Math.min(maxTokens, entries.size()); i++) {
      tokens.add(entries.get(i).getKey());
    }
    return new Vocabulary(tokenizer, tokens, "built vocabulary");
  }

  /**
   * A vocabulary with exactly these tokens (ids in list order).
   *
   * @param tokens the five {@link #SPECIAL_TOKENS} first, then unique non-empty regular tokens
   * @throws IllegalArgumentException if the specials are missing or out of order, or a token is
   *     empty or repeated
   */
  public static Vocabulary of(Tokenizer tokenizer, List<String> tokens) {
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(tokens, "tokens");
    if (tokens.size() < FIRST_REGULAR_ID) {
      throw new IllegalArgumentException(
          "a vocabulary needs at least the " + FIRST_REGULAR_ID + " special tokens " + SPECIAL_TOKENS
              + ", got " + tokens.size() + " tokens");
    }
    return new Vocabulary(tokenizer, tokens, "vocabulary");
  }

  /** The tokenizer this vocabulary encodes text with. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** Number of ids, specials included ({@code maxTokens + 5} for a large enough corpus). */
  public int size() {
    return tokens.size();
  }

  /** All tokens, indexed by id (immutable). */
  public List<String> tokens() {
    return tokens;
  }

  /** The id of {@code token}, or {@link #UNK} when it is not in the vocabulary. */
  public int idOf(String token) {
    return ids.getOrDefault(token, UNK);
  }

  /** Whether {@code token} is in the vocabulary. */
  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  /**
   * The token with this id.
   *
   * @throws IndexOutOfBoundsException if {@code id} is not in [0, size())
   */
  public String tokenOf(int id) {
    if (id < 0 || id >= tokens.size()) {
      throw new IndexOutOfBoundsException(
          "token id " + id + " outside [0, " + tokens.size() + ") of this vocabulary");
    }
    return tokens.get(id);
  }

  /** Whether {@code id} is one of the special ids 0 to 4. */
  public static boolean isSpecial(int id) {
    return id >= 0 && id < FIRST_REGULAR_ID;
  }

  /** Tokenises {@code text} and maps each token to its id ({@link #UNK} if unknown). */
  public int[] encode(String text) {
    return encodeTokens(tokenizer.tokenize(text));
  }

  /** Maps each token to its id ({@link #UNK} if unknown). */
  public int[] encodeTokens(List<String> tokens) {
    int[] out = new int[tokens.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = idOf(tokens.get(i));
    }
    return out;
  }

  /**
   * The tokens of these ids, specials included (e.g. {@code [CLS]}, {@code [PAD]}).
   *
   * @throws IndexOutOfBoundsException if an id is outside [0, size())
   */
  public List<String> decode(int[] ids) {
    List<String> out = new ArrayList<>(ids.length);
    for (int id : ids) {
      out.add(tokenOf(id));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Writes this vocabulary as JSON: {@code {"format":"ssl4j-vocabulary","version":1,
   * "tokenizer":"lowercase-words","tokens":["[PAD]",...]}}.
   */
  public void save(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write vocabulary to " + file + ": " + e.getMessage(), e);
    }
  }

  /** This vocabulary as the JSON text {@link #save} writes. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("tokenizer", tokenizer.name());
    ArrayNode arr = root.putArray("tokens");
    tokens.forEach(arr::add);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not serialise vocabulary: " + e.getMessage(), e);
    }
  }

  /**
   * Loads a vocabulary saved by {@link #save}, with the built-in tokenizer it names.
   *
   * @throws IllegalArgumentException if the file is not a valid saved vocabulary or names an
   *     unknown tokenizer (the message names the file and what is wrong)
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Vocabulary load(Path file) {
    return load(file, null);
  }

  /**
   * Loads a vocabulary saved by {@link #save} with a custom tokenizer, whose {@link
   * Tokenizer#name()} must equal the stored name.
   *
   * @param tokenizer the tokenizer, or null to look up the stored name among the built-in ones
   */
  public static Vocabulary load(Path file, Tokenizer tokenizer) {
    Objects.requireNonNull(file, "file");
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("vocabulary file not found: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read vocabulary " + file + ": " + e.getMessage(), e);
    }
    return fromJson(json, tokenizer, "vocabulary file " + file);
  }

  /**
   * Parses the JSON text of {@link #toJson()} (e.g. stored inside a model file).
   *
   * @param tokenizer the tokenizer, or null to look up the stored name among the built-in ones
   * @param where what the text is, for error messages (e.g. "vocabulary in model.zip")
   * @throws IllegalArgumentException if the text is not a valid saved vocabulary
   */
  public static Vocabulary fromJson(String json, Tokenizer tokenizer, String where) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          where + " is not valid JSON: " + e.getOriginalMessage()
              + "; it should be written by Vocabulary.save",
          e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(where + " holds no JSON object; it should be a file written by Vocabulary.save");
    }
    if (!FORMAT.equals(root.path("format").asText(null))) {
      throw new IllegalArgumentException(
          where + ": field \"format\" is " + root.get("format") + ", expected \"" + FORMAT
              + "\"; it should be a file written by Vocabulary.save");
    }
    if (!root.path("version").isInt() || root.get("version").intValue() != VERSION) {
      throw new IllegalArgumentException(
          where + ": field \"version\" is " + root.get("version") + ", this library reads version " + VERSION);
    }
    JsonNode name = root.get("tokenizer");
    if (name == null || !name.isTextual()) {
      throw new IllegalArgumentException(where + ": field \"tokenizer\" must be a string, got " + name);
    }
    JsonNode arr = root.get("tokens");
    if (arr == null || !arr.isArray()) {
      throw new IllegalArgumentException(where + ": field \"tokens\" must be an array of strings, got " + arr);
    }
    if (arr.size() < FIRST_REGULAR_ID) {
      throw new IllegalArgumentException(
          where + ": \"tokens\" has " + arr.size() + " entries; it must start with the special tokens " + SPECIAL_TOKENS);
    }
    List<String> tokens = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      JsonNode t = arr.get(i);
      if (!t.isTextual()) {
        throw new IllegalArgumentException(where + ": tokens[" + i + "] is " + t + ", expected a string");
      }
      tokens.add(t.textValue());
    }
    Tokenizer tok;
    if (tokenizer == null) {
      try {
        tok = Tokenizers.forName(name.textValue(), tokens);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    } else if (!tokenizer.name().equals(name.textValue())) {
      throw new IllegalArgumentException(
          where + " was saved with tokenizer '" + name.textValue() + "' but tokenizer '"
              + tokenizer.name() + "' was given; pass the tokenizer the vocabulary was built with");
    } else {
      tok = tokenizer;
    }
    return new Vocabulary(tok, tokens, where);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && v.tokenizer.name().equals(tokenizer.name()) && v.tokens.equals(tokens);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tokenizer.name(), tokens);
  }

  @Override
  public String toString() {
    return "Vocabulary[" + tokens.size() + " ids, tokenizer " + tokenizer.name() + "]";
  }
}
