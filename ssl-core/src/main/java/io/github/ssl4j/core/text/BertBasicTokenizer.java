package io.github.ssl4j.core.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * BERT's "basic" pre-tokenisation, as Hugging Face's {@code BasicTokenizer} (the slow {@code
 * BertTokenizer}, {@code tokenize_chinese_chars=True}, {@code strip_accents=None}): it splits text
 * into words before {@link WordPieceTokenizer} cuts them into pieces.
 *
 * <ol>
 *   <li>Clean: code points 0, U+FFFD and other control characters (Unicode category C*, except
 *       tab, newline, carriage return) are removed; white space (space, tab, newline, carriage
 *       return, category Zs) becomes a space.
 *   <li>CJK: every CJK unified ideograph (the ranges of BERT's {@code _is_chinese_char}) is
 *       surrounded by spaces, so each becomes a word of its own.
 *   <li>NFC-normalise, split on white space.
 *   <li>Uncased: each word (except the special tokens {@code [PAD] [UNK] [CLS] [SEP] [MASK]}) is
 *       lower-cased, NFD-normalised and stripped of combining marks (category Mn), so "Café"
 *       becomes "cafe".
 *   <li>Each punctuation character (ASCII 33–47, 58–64, 91–96, 123–126, or Unicode category P*)
 *       becomes a word of its own; special tokens are kept whole.
 * </ol>
 */
final class BertBasicTokenizer {
  private static final Set<String> NEVER_SPLIT = Set.copyOf(Vocabulary.SPECIAL_TOKENS);

  private final boolean lowercase;

  BertBasicTokenizer(boolean lowercase) {
    this.lowercase = lowercase;
  }

  /** The words of {@code text}, in order. */
  List<String> words(String text) {
    StringBuilder clean = new StringBuilder(text.length() + 16);
    text.codePoints().forEach(cp -> {
      if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
        return;
      }
      if (isWhitespace(cp)) {
        clean.append(' ');
      } else if (isChinese(cp)) {
        clean.append(' ').appendCodePoint(cp).append(' ');
      } else {
        clean.appendCodePoint(cp);
      }
    });
    String normalized = Normalizer.normalize(clean, Normalizer.Form.NFC);
    List<String> out = new ArrayList<>();
    for (String word : splitOnWhitespace(normalized)) {
      boolean special = NEVER_SPLIT.contains(word);
      if (lowercase && !special) {
        word = stripAccents(word.toLowerCase(Locale.ROOT));
      }
      if (special) {
        out.add(word);
      } else {
        splitOnPunctuation(word, out);
      }
    }
    return out;
  }

  private static List<String> splitOnWhitespace(String s) {
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      boolean space = isPythonSpace(cp);
      if (space && start >= 0) {
        out.add(s.substring(start, i));
        start = -1;
      } else if (!space && start < 0) {
        start = i;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      out.add(s.substring(start));
    }
    return out;
  }

  private static void splitOnPunctuation(String word, List<String> out) {
    int start = 0;
    for (int i = 0; i < word.length(); ) {
      int cp = word.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (isPunctuation(cp)) {
        if (i > start) {
          out.add(word.substring(start, i));
        }
        out.add(word.substring(i, next));
        start = next;
      }
      i = next;
    }
    if (start < word.length()) {
      out.add(word.substring(start));
    }
  }

  static String stripAccents(String word) {
    String nfd = Normalizer.normalize(word, Normalizer.Form.NFD);
    StringBuilder b = new StringBuilder(nfd.length());
    nfd.codePoints().forEach(cp -> {
      if (Character.getType(cp) != Character.NON_SPACING_MARK) {
        b.appendCodePoint(cp);
      }
    });
    return b.toString();
  }

  /** BERT's {@code _is_whitespace}: space, tab, newline, carriage return, or category Zs. */
  static boolean isWhitespace(int cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
        || Character.getType(cp) == Character.SPACE_SEPARATOR;
  }

  /** White space as Python's {@code str.split()} sees it. */
  private static boolean isPythonSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
  }

  /** BERT's {@code _is_control}: category C* except tab, newline and carriage return. */
  static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    int t = Character.getType(cp);
    return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED
        || t == Character.PRIVATE_USE || t == Character.SURROGATE;
  }

  /** BERT's {@code _is_punctuation}: ASCII non-letters/digits/space, or category P*. */
  static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
      return true;
    }
    int t = Character.getType(cp);
    return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
        || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
        || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
        || t == Character.OTHER_PUNCTUATION;
  }

  /** BERT's {@code _is_chinese_char}: the CJK unified ideograph blocks. */
  static boolean isChinese(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
