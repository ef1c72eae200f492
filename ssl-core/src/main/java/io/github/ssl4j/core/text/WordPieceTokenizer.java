package io.github.ssl4j.core.text;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * BERT's WordPiece tokenisation, the same as Hugging Face's (slow) {@code BertTokenizer.tokenize}:
 * {@link BertBasicTokenizer basic pre-tokenisation} (cleaning, CJK characters as words, for uncased
 * vocabularies lower-casing and accent stripping, punctuation split), then each word is cut greedily
 * into the longest piece in the vocabulary from the left, continuation pieces prefixed with {@code
 * ##}; a word that cannot be cut completely, or is longer than {@link #MAX_WORD_CHARS} code points,
 * becomes {@code [UNK]}.
 *
 * <pre>{@code
 * // with "un", "##aff", "##able" in the vocabulary:
 * tokenizer.tokenize("Unaffable!")  // [un, ##aff, ##able, !]   (uncased; "!" if in the vocabulary, else [UNK])
 * }</pre>
 *
 * <p>Its {@link #name()} is {@value #UNCASED} or {@value #CASED}; a {@link Vocabulary} saved with
 * it is loaded with this tokenizer rebuilt from the saved tokens. Get one with its vocabulary from
 * {@link WordPieceVocabulary}. Immutable and thread-safe.
 */
public final class WordPieceTokenizer implements Tokenizer {
  /** Name of the lower-casing, accent-stripping scheme (BERT "uncased" vocabularies). */
  public static final String UNCASED = "wordpiece-uncased";
  /** Name of the case-keeping scheme (BERT "cased" vocabularies). */
  public static final String CASED = "wordpiece-cased";
  /** Words longer than this many code points become {@code [UNK]} (BERT's {@code max_input_chars_per_word}). */
  public static final int MAX_WORD_CHARS = 100;
  /** The prefix of a piece that continues a word. */
  public static final String CONTINUATION = "##";

  private static final String UNK = Vocabulary.SPECIAL_TOKENS.get(Vocabulary.UNK);

  private final Set<String> pieces;
  private final boolean lowercase;
  private final BertBasicTokenizer basic;

  private WordPieceTokenizer(Set<String> pieces, boolean lowercase) {
    this.pieces = pieces;
    this.lowercase = lowercase;
    this.basic = new BertBasicTokenizer(lowercase);
  }

  /**
   * A tokenizer over these pieces.
   *
   * @param pieces the vocabulary's tokens (word-initial pieces as they are, continuation pieces
   *     with {@code ##}); special tokens may be included
   * @param lowercase true for uncased vocabularies (lower-case and strip accents first)
   */
  public static WordPieceTokenizer of(Collection<String> pieces, boolean lowercase) {
    Objects.requireNonNull(pieces, "pieces");
    return new WordPieceTokenizer(Set.copyOf(pieces), lowercase);
  }

  /** Whether text is lower-cased and stripped of accents before cutting. */
  public boolean lowercase() {
    return lowercase;
  }

  @Override
  public String name() {
    return lowercase ? UNCASED : CASED;
  }

  @Override
  public List<String> tokenize(String text) {
    Objects.requireNonNull(text, "text");
    List<String> out = new ArrayList<>();
    for (String word : basic.words(text)) {
      cut(word, out);
    }
    return Collections.unmodifiableList(out);
  }

  /** BERT's pre-tokenisation only: the words that are then cut into pieces. */
  public List<String> words(String text) {
    Objects.requireNonNull(text, "text");
    return Collections.unmodifiableList(basic.words(text));
  }

  /** Greedy longest-match-first cut of one word; appends [UNK] if it cannot be cut. */
  private void cut(String word, List<String> out) {
    int chars = word.codePointCount(0, word.length());
    if (chars > MAX_WORD_CHARS) {
      out.add(UNK);
      return;
    }
    int size = out.size();
    int start = 0;
    while (start < word.length()) {
      int end = word.length();
      String piece = null;
      while (start < end) {
        String sub = word.substring(start, end);
        if (start > 0) {
          sub = CONTINUATION + sub;
        }
        if (pieces.contains(sub)) {
          piece = sub;
          break;
        }
        end = word.offsetByCodePoints(end, -1);
      }
      if (piece == null) {
        out.subList(size, out.size()).clear();
        out.add(UNK);
        return;
      }
      out.add(piece);
      start = end;
    }
  }

  @Override
  public String toString() {
    return name() + "[" + pieces.size() + " pieces]";
  }
}
