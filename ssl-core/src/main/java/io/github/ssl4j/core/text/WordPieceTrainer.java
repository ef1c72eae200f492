package io.github.ssl4j.core.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Learns a WordPiece {@link Vocabulary} from a corpus, as Hugging Face's {@code WordPieceTrainer}
 * (the trainer behind {@code BertWordPieceTokenizer.train}): byte-pair-encoding style merges over
 * the corpus's words, continuation pieces written with {@code ##}.
 *
 * <ol>
 *   <li>Every text is split into words by BERT's pre-tokenisation ({@link WordPieceTokenizer#words},
 *       lower-cased and accent-stripped when {@link Builder#lowercase} is true) and the words are
 *       counted.
 *   <li>The alphabet is the {@link Builder#alphabetLimit} most frequent characters (ties: lower
 *       code point first); other characters are dropped from the words for training (words that
 *       contain them tokenise to {@code [UNK]}). Each word starts as its characters, all but the
 *       first written {@code ##c}.
 *   <li>Repeatedly, the most frequent adjacent pair of pieces over all words (ties: the pair whose
 *       pieces come first as strings) is merged into one new piece ({@code "un" + "##aff" ->
 *       "unaff"}, {@code "##a" + "##b" -> "##ab"}), until the vocabulary has {@link
 *       Builder#vocabularySize} tokens or no pair occurs at least {@link Builder#minFrequency} times.
 * </ol>
 *
 * The vocabulary's tokens are the five special tokens, the initial pieces in string order, then the
 * merged pieces in the order they were learnt. The result depends only on the texts' word counts,
 * not on their order. One pass over {@code texts}; memory grows with the number of distinct words.
 *
 * <pre>{@code
 * Vocabulary vocab = WordPieceTrainer.builder().vocabularySize(8000).build().train(texts);
 * }</pre>
 */
public final class WordPieceTrainer {
  private final int vocabularySize;
  private final int minFrequency;
  private final int alphabetLimit;
  private final boolean lowercase;

  private WordPieceTrainer(Builder b) {
    this.vocabularySize = b.vocabularySize;
    this.minFrequency = b.minFrequency;
    this.alphabetLimit = b.alphabetLimit;
    this.lowercase = b.lowercase;
  }

  /**
   * A builder with Hugging Face's {@code BertWordPieceTokenizer.train} defaults except the size:
   * 8,000 tokens, minimum pair frequency 2, alphabet limit 1,000, lower-casing.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Learns the vocabulary.
   *
   * @param texts the corpus (e.g. the training split's texts)
   * @return at most {@code vocabularySize} tokens (more only when the alphabet alone is larger),
   *     with a {@link WordPieceTokenizer}
   * @throws IllegalArgumentException if the texts hold no word
   */
  public Vocabulary train(Iterable<String> texts) {
    Objects.requireNonNull(texts, "texts");
    BertBasicTokenizer basic = new BertBasicTokenizer(lowercase);
    Map<String, long[]> wordCounts = new HashMap<>();
    for (String text : texts) {
      for (String w : basic.words(text)) {
        if (!Vocabulary.SPECIAL_TOKENS.contains(w)) {
          wordCounts.computeIfAbsent(w, k -> new long[1])[0]++;
        }
      }
    }
    if (wordCounts.isEmpty()) {
      throw new IllegalArgumentException("the texts hold no words to learn a WordPiece vocabulary from");
    }
    String[] words = wordCounts.keySet().toArray(new String[0]);
    Arrays.sort(words);
    long[] counts = new long[words.length];
    Map<Integer, long[]> charCounts = new TreeMap<>();
    for (int i = 0; i < words.length; i++) {
      counts[i] = wordCounts.get(words[i])[0];
      long c = counts[i];
      words[i].codePoints().forEach(cp -> charCounts.computeIfAbsent(cp, k -> new long[1])[0] += c);
    }
    List<Map.Entry<Integer, long[]>> chars = new ArrayList<>(charCounts.entrySet());
    chars.sort((a, b) -> a.getValue()[0] != b.getValue()[0]
        ? Long.compare(b.getValue()[0], a.getValue()[0]) : Integer.compare(a.getKey(), b.getKey()));
    java.util.Set<Integer> alphabet = new java.util.HashSet<>();
    for (int i = 0; i < Math.min(alphabetLimit, chars.size()); i++) {
      alphabet.add(chars.get(i).getKey());
    }

    // initial pieces: the kept characters, word-initial or ## continuation, in string order
    java.util.TreeSet<String> initial = new java.util.TreeSet<>();
    for (String w : words) {
      int[] cps = w.codePoints().toArray();
      for (int j = 0; j < cps.length; j++) {
        if (alphabet.contains(cps[j])) {
          initial.add(piece(cps[j], j > 0));
        }
      }
    }
    List<String> symbols = new ArrayList<>(initial);
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < symbols.size(); i++) {
      ids.put(symbols.get(i), i);
    }
    int[][] parts = new int[words.length][];
    for (int i = 0; i < words.length; i++) {
      int[] cps = words[i].codePoints().toArray();
      int[] p = new int[cps.length];
      int n = 0;
      for (int j = 0; j < cps.length; j++) {
        if (alphabet.contains(cps[j])) {
          p[n++] = ids.get(piece(cps[j], j > 0));
        }
      }
      parts[i] = Arrays.copyOf(p, n);
    }

    new Merges(symbols, ids, parts, counts).run(vocabularySize - Vocabulary.FIRST_REGULAR_ID, minFrequency);
    List<String> tokens = new ArrayList<>(Vocabulary.SPECIAL_TOKENS);
    for (String s : symbols) {
      if (!Vocabulary.SPECIAL_TOKENS.contains(s)) {
        tokens.add(s);
      }
    }
    return WordPieceVocabulary.of(tokens, lowercase);
  }

  private static String piece(int cp, boolean continuation) {
    String s = new String(Character.toChars(cp));
    return continuation ? WordPieceTokenizer.CONTINUATION + s : s;
  }

  /** The merge loop: pair counts kept up to date incrementally, best pair from a lazy queue. */
  private static final class Merges {
    private final List<String> symbols;
    private final Map<String, Integer> ids;
    private final int[][] parts;
    private final long[] counts;
    private final HashMap<Long, long[]> pairCounts = new HashMap<>();
    private final HashMap<Long, int[]> where = new HashMap<>(); // [size, idx...] word lists, may repeat
    private final int[] stamp;
    private final PriorityQueue<long[]> queue; // {count, pair}

    Merges(List<String> symbols, Map<String, Integer> ids, int[][] parts, long[] counts) {
      this.symbols = symbols;
      this.ids = ids;
      this.parts = parts;
      this.counts = counts;
      this.stamp = new int[parts.length];
      this.queue = new PriorityQueue<>((x, y) -> {
        if (x[0] != y[0]) {
          return Long.compare(y[0], x[0]);
        }
        int c = symbols.get(first(x[1])).compareTo(symbols.get(first(y[1])));
        return c != 0 ? c : symbols.get(second(x[1])).compareTo(symbols.get(second(y[1])));
      });
    }

    // Pairs are packed into one long and multiplied by an odd constant (invertible modulo 2^64):
    // Long.hashCode of the plain packing, a ^ b, collides for many pairs.
    private static final long MIX = 0x9E3779B97F4A7C15L;
    private static final long UNMIX = 0xF1DE83E19937733DL; // MIX * UNMIX == 1 (mod 2^64)

    private static long key(int a, int b) {
      return (((long) a << 32) | (b & 0xffffffffL)) * MIX;
    }

    private static int first(long key) {
      return (int) ((key * UNMIX) >>> 32);
    }

    private static int second(long key) {
      return (int) (key * UNMIX);
    }

    void run(int maxSymbols, int minFrequency) {
      for (int w = 0; w < parts.length; w++) {
        addPairs(w);
      }
      pairCounts.forEach((k, c) -> queue.add(new long[] {c[0], k}));
      int round = 0;
      while (symbols.size() < maxSymbols && !queue.isEmpty()) {
        long[] top = queue.poll();
        long[] current = pairCounts.get(top[1]);
        if (current == null || current[0] != top[0]) {
          continue; // stale entry
        }
        if (top[0] < minFrequency) {
          break;
        }
        int a = first(top[1]);
        int b = second(top[1]);
        String merged = symbols.get(a) + symbols.get(b).substring(WordPieceTokenizer.CONTINUATION.length());
        Integer m = ids.get(merged);
        if (m == null) {
          m = symbols.size();
          symbols.add(merged);
          ids.put(merged, m);
        }
        round++;
        java.util.Set<Long> changed = new java.util.HashSet<>();
        int[] list = where.get(top[1]);
        for (int i = 1; i <= list[0]; i++) {
          int w = list[i];
          if (stamp[w] == round) {
            continue;
          }
          stamp[w] = round;
          int[] old = parts[w];
          if (!contains(old, a, b)) {
            continue;
          }
          int[] next = new int[old.length];
          int n = 0;
          for (int j = 0; j < old.length; j++) {
            if (j + 1 < old.length && old[j] == a && old[j + 1] == b) {
              next[n++] = m;
              j++;
            } else {
              next[n++] = old[j];
            }
          }
          parts[w] = Arrays.copyOf(next, n);
          updatePairs(w, old, parts[w], changed);
        }
        where.remove(top[1]);
        for (Long k : changed) {
          long[] c = pairCounts.get(k);
          if (c != null) {
            queue.add(new long[] {c[0], k});
          }
        }
      }
    }

    private static boolean contains(int[] p, int a, int b) {
      for (int j = 0; j + 1 < p.length; j++) {
        if (p[j] == a && p[j + 1] == b) {
          return true;
        }
      }
      return false;
    }

    private void addPairs(int w) {
      int[] p = parts[w];
      for (int j = 0; j + 1 < p.length; j++) {
        long k = key(p[j], p[j + 1]);
        pairCounts.computeIfAbsent(k, x -> new long[1])[0] += counts[w];
        appendWord(k, w);
      }
    }

    /**
     * Applies the change of one word's pairs: counts move by the word's count times the net change
     * of each pair, and the word joins the lists of the pairs it gained (they contain the new piece).
     */
    private void updatePairs(int w, int[] before, int[] after, java.util.Set<Long> changed) {
      long[] old = pairs(before);
      long[] now = pairs(after);
      int i = 0;
      int j = 0;
      while (i < old.length || j < now.length) {
        long k;
        int delta;
        if (j >= now.length || (i < old.length && old[i] < now[j])) {
          k = old[i++];
          delta = -1;
        } else if (i >= old.length || now[j] < old[i]) {
          k = now[j++];
          delta = 1;
        } else {
          i++;
          j++;
          continue;
        }
        long[] c = pairCounts.computeIfAbsent(k, x -> new long[1]);
        c[0] += delta * counts[w];
        if (c[0] <= 0) {
          pairCounts.remove(k);
        }
        if (delta > 0) {
          appendWord(k, w);
        }
        changed.add(k);
      }
    }

    private static long[] pairs(int[] p) {
      long[] keys = new long[Math.max(0, p.length - 1)];
      for (int j = 0; j < keys.length; j++) {
        keys[j] = key(p[j], p[j + 1]);
      }
      Arrays.sort(keys);
      return keys;
    }

    private void appendWord(long k, int w) {
      int[] list = where.get(k);
      if (list == null) {
        list = new int[4];
        where.put(k, list);
      } else if (list[0] + 1 >= list.length) {
        list = Arrays.copyOf(list, list.length * 2);
        where.put(k, list);
      }
      list[++list[0]] = w;
    }
  }

  /** Settings of {@link WordPieceTrainer}. */
  public static final class Builder {
    private int vocabularySize = 8000;
    private int minFrequency = 2;
    private int alphabetLimit = 1000;
    private boolean lowercase = true;

    private Builder() {}

    /** Number of tokens including the five special tokens, &gt; 5; default 8000. */
    public Builder vocabularySize(int vocabularySize) {
      this.vocabularySize = vocabularySize;
      return this;
    }

    /** Smallest count (over the corpus) of a pair worth merging, &gt;= 1; default 2. */
    public Builder minFrequency(int minFrequency) {
      this.minFrequency = minFrequency;
      return this;
    }

    /** Largest number of distinct characters kept, &gt;= 1; default 1000. */
    public Builder alphabetLimit(int alphabetLimit) {
      this.alphabetLimit = alphabetLimit;
      return this;
    }

    /** Lower-case and strip accents (an "uncased" vocabulary); default true. */
    public Builder lowercase(boolean lowercase) {
      this.lowercase = lowercase;
      return this;
    }

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public WordPieceTrainer build() {
      if (vocabularySize <= Vocabulary.FIRST_REGULAR_ID) {
        throw new IllegalArgumentException("vocabularySize must be > " + Vocabulary.FIRST_REGULAR_ID
            + " (the special tokens plus at least one piece), got " + vocabularySize + "; e.g. 8000");
      }
      if (minFrequency < 1) {
        throw new IllegalArgumentException("minFrequency must be >= 1, got " + minFrequency + "; e.g. 2");
      }
      if (alphabetLimit < 1) {
        throw new IllegalArgumentException("alphabetLimit must be >= 1, got " + alphabetLimit + "; e.g. 1000");
      }
      return new WordPieceTrainer(this);
    }
  }
}
