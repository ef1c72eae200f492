package io.github.ssl4j.tasks.masked;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.encoders.TransformerEncoder;
import io.github.ssl4j.core.text.Document;
import io.github.ssl4j.core.text.Vocabulary;
import io.github.ssl4j.core.text.WindowedCorpus;
import io.github.ssl4j.core.text.WordPieceTrainer;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

/** Masked language modelling on the ids of a WordPiece vocabulary learnt from the corpus. */
class MaskedLanguageWordPieceTest {

  /** Templated sentences: the masked words are predictable from their neighbours. */
  private static List<Document> corpus() {
    String[] subjects = {"The runner", "A walker", "The swimmer", "Our teacher"};
    String[] verbs = {"runs quickly", "walks slowly", "swims happily", "teaches patiently"};
    SplittableRandom r = new SplittableRandom(5);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      StringBuilder b = new StringBuilder();
      for (int s = 0; s < 3; s++) {
        int k = r.nextInt(subjects.length);
        b.append(subjects[k]).append(' ').append(verbs[k]).append(r.nextBoolean() ? ". " : "! ");
      }
      docs.add(new Document(b.toString(), null, "doc" + i));
    }
    return docs;
  }

  @Test
  void trainsOnALearntWordPieceVocabularyAndLowersTheLoss() {
    WordPieceTrainer trainer = WordPieceTrainer.builder().vocabularySize(40).build();
    WindowedCorpus corpus = WindowedCorpus.builder().windowLength(16).seed(1).vocabulary(trainer::train).build(corpus());
    Vocabulary vocab = corpus.vocabulary();
    assertEquals("wordpiece-uncased", vocab.tokenizer().name());
    assertTrue(vocab.size() <= 40 && vocab.size() > 20, "size " + vocab.size());
    assertTrue(vocab.tokens().stream().anyMatch(t -> t.startsWith("##")), "continuation pieces: " + vocab.tokens());
    assertEquals(Vocabulary.MASK, vocab.idOf("[MASK]"), "the masker's [MASK] id is the vocabulary's");

    TransformerEncoder encoder = TransformerEncoder.builder(vocab.size(), 16).width(16).heads(2).feedForward(32)
        .blocks(1).dropout(0).build();
    TrainingConfig config = TrainingConfig.builder(16).maxSteps(60).seed(3).updater(new Adam(3e-3))
        .progressBar(false).logEverySteps(0).build();
    TrainingResult result = new Trainer(config).fit(MaskedLanguageTask.bert(vocab.size()), encoder, corpus.trainWindows());
    double first = result.history().subList(0, 10).stream().mapToDouble(h -> h.loss()).average().orElseThrow();
    double last = result.history().subList(50, 60).stream().mapToDouble(h -> h.loss()).average().orElseThrow();
    assertTrue(last < 0.9 * first, "loss should fall: first 10 steps " + first + ", last 10 " + last);
  }
}
