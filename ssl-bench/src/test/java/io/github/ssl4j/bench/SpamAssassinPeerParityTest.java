package io.github.ssl4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ssl4j.core.text.Document;
import io.github.ssl4j.core.text.TokenWindows;
import io.github.ssl4j.core.text.TrainTestSplit;
import io.github.ssl4j.core.text.Vocabulary;
import io.github.ssl4j.core.text.WindowedCorpus;
import io.github.ssl4j.core.text.WordTokenizer;
import io.github.ssl4j.examples.SpamAssassinReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The whole W3 data pipeline on the real corpus against numbers printed by the PyTorch peer's code
 * (load_spam, default_rng(0) permutation, Counter.most_common(8000), windows). Opt-in, as the corpus
 * is not committed: {@code SSL4J_SPAM_DIR=/path/to/spam/package/data mvn -o -pl ssl-bench -am test
 * -Dtest=SpamAssassinPeerParityTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfEnvironmentVariable(named = "SSL4J_SPAM_DIR", matches = ".+")
class SpamAssassinPeerParityTest {

  @Test
  void sameMailsSplitVocabularyAndWindowsAsThePeer() {
    List<Document> mails = SpamAssassinReader.read(Path.of(System.getenv("SSL4J_SPAM_DIR")));
    assertEquals(6046, mails.size());
    assertEquals(1896, mails.stream().filter(d -> d.label().equals("spam")).count());
    TrainTestSplit<Document> split = TrainTestSplit.of(mails, 0.8, 0, NumpyPermutation::permutation);
    assertEquals(4836, split.train().size());
    assertEquals(1210, split.test().size());
    Vocabulary vocab =
        Vocabulary.build(WordTokenizer.INSTANCE, split.train().stream().map(Document::text).toList(), 8000);
    assertEquals(8005, vocab.size());
    List<int[]> train = split.train().stream().map(d -> vocab.encode(d.text())).toList();
    List<int[]> test = split.test().stream().map(d -> vocab.encode(d.text())).toList();
    assertEquals(5006377L, train.stream().mapToLong(a -> a.length).sum());
    assertEquals(215480L, train.stream().flatMapToInt(Arrays::stream).filter(i -> i == Vocabulary.UNK).count());
    int[][] trainWindows = TokenWindows.of(train, 64);
    int[][] testWindows = TokenWindows.of(test, 64);
    assertEquals(81821, trainWindows.length);
    assertEquals(18183, testWindows.length);
    assertArrayEquals(
        new int[] {2, 255, 14, 22, 14, 5, 5, 2879, 11, 2330}, Arrays.copyOf(trainWindows[0], 10));
    // sum of every id of every train window: the same vocabulary ids everywhere
    assertEquals(1724343794L, Arrays.stream(trainWindows).flatMapToInt(Arrays::stream).asLongStream().sum());

    WindowedCorpus corpus = Workloads.w3Corpus(mails, 0);
    assertEquals(vocab, corpus.vocabulary());
    assertEquals(81821, corpus.trainWindows().size());
    assertEquals(18183, corpus.testWindows().size());
    assertEquals(4836, corpus.trainFirstWindows().size());
    assertEquals(List.of("ham", "spam"), corpus.classes());
  }
}
