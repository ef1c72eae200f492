package io.github.ssl4j.core.text;

import io.github.ssl4j.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@link Vocabulary}s with a {@link WordPieceTokenizer}: read from a standard BERT {@code
 * vocab.txt}, or learnt from a corpus with {@link WordPieceTrainer}.
 *
 * <p>ssl4j's ids always start with the five special tokens ({@link Vocabulary#PAD} = 0 ... {@link
 * Vocabulary#MASK} = 4), so a BERT {@code vocab.txt} is re-numbered: the specials first, then the
 * file's other tokens in file order. The pieces, and so the tokenisation, are exactly the file's;
 * the ids differ from the file's line numbers (e.g. {@code [MASK]} is 4, not 103 as in {@code
 * bert-base-uncased}), which matters only when loading weights trained elsewhere, not for
 * pretraining here.
 *
 * <pre>{@code
 * Vocabulary bert = WordPieceVocabulary.fromBertVocab(Path.of("vocab.txt"), true); // uncased
 * Vocabulary own = WordPieceTrainer.builder().vocabularySize(8000).build().train(texts);
 * int[] ids = own.encode("Unaffable!");
 * }</pre>
 */
public final class WordPieceVocabulary {
  private WordPieceVocabulary() {}

  /**
   * Reads a BERT {@code vocab.txt} (UTF-8, one token per line, as Hugging Face's {@code
   * load_vocab}; a trailing carriage return is dropped, empty lines and repeated tokens are
   * skipped).
   *
   * @param file the vocab.txt
   * @param lowercase true for an uncased vocabulary (e.g. bert-base-uncased), false for a cased one
   * @return the five special tokens, then the file's other tokens in file order, with a {@link
   *     WordPieceTokenizer} over them
   * @throws UncheckedIOException if the file is missing, unreadable or not UTF-8 (the message names
   *     the file and line)
   * @throws IllegalArgumentException if the file has no {@code [UNK]} line or no other token
   */
  public static Vocabulary fromBertVocab(Path file, boolean lowercase) {
    Objects.requireNonNull(file, "file");
    List<String> tokens = new ArrayList<>(Vocabulary.SPECIAL_TOKENS);
    Set<String> seen = new HashSet<>(Vocabulary.SPECIAL_TOKENS);
    boolean unk = false;
    int line = 0;
    try (TextFiles.Utf8Lines in = new TextFiles.Utf8Lines(file)) {
      for (String t = in.readLine(); t != null; t = in.readLine()) {
        line++;
        unk |= t.equals("[UNK]");
        if (!t.isEmpty() && seen.add(t)) {
          tokens.add(t);
        }
      }
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("BERT vocabulary file not found: " + file.toAbsolutePath(), e);
    } catch (CharacterCodingException e) {
      throw new UncheckedIOException("BERT vocabulary " + file + " line " + (line + 1) + " is not valid UTF-8 ("
          + e + "); vocab.txt files are UTF-8", e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read BERT vocabulary " + file + ": " + e.getMessage(), e);
    }
    if (!unk) {
      throw new IllegalArgumentException("BERT vocabulary " + file + " has no [UNK] line among its " + line
          + " lines; is it a WordPiece vocab.txt (one token per line, with [PAD] [UNK] [CLS] [SEP] [MASK])?");
    }
    if (tokens.size() == Vocabulary.FIRST_REGULAR_ID) {
      throw new IllegalArgumentException("BERT vocabulary " + file + " holds only special tokens");
    }
    return of(tokens, lowercase);
  }

  /**
   * A vocabulary with exactly these tokens and a {@link WordPieceTokenizer} over them.
   *
   * @param tokens the five {@link Vocabulary#SPECIAL_TOKENS} first, then unique non-empty pieces
   * @param lowercase true for an uncased vocabulary
   */
  public static Vocabulary of(List<String> tokens, boolean lowercase) {
    return Vocabulary.of(WordPieceTokenizer.of(tokens, lowercase), tokens);
  }

  /**
   * Writes the tokens one per line, as a BERT {@code vocab.txt} (line number = ssl4j id, so the
   * file read back by {@link #fromBertVocab} gives the same vocabulary).
   */
  public static void writeBertVocab(Vocabulary vocabulary, Path file) {
    Objects.requireNonNull(vocabulary, "vocabulary");
    Objects.requireNonNull(file, "file");
    try {
      AtomicFiles.write(file, (String.join("\n", vocabulary.tokens()) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
    }
  }
}
