package io.github.ssl4j.examples;

import io.github.ssl4j.core.eval.ClassifierTrainer;
import io.github.ssl4j.core.eval.FewLabelProtocol;
import io.github.ssl4j.core.eval.LabelBudget;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.text.TokenWindowSource;
import io.github.ssl4j.core.text.TokenWindows;
import io.github.ssl4j.core.text.Vocabulary;
import io.github.ssl4j.core.text.WindowedCorpus;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.masked.MaskedLanguageTask;
import io.github.ssl4j.tasks.masked.MaskedTokenAccuracy;
import io.github.ssl4j.tasks.masked.MaskedTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The evaluation of the masked language example: masked-token accuracy on held-out windows next to
 * the unigram baseline, sample predictions as text, and a ham/spam classifier trained on a few
 * labels from the pretrained encoder and from scratch, next to the majority class.
 */
final class MaskedLanguageEvaluation {
  /** Test windows per forward pass. */
  private static final int EVAL_BATCH = 128;

  private MaskedLanguageEvaluation() {}

  /**
   * What the masked language model learned: masked-token accuracy on held-out windows and a
   * few-label ham/spam classifier; accuracies as fractions in [0, 1].
   *
   * @param maskedTestTokens masked tokens scored in the test windows
   * @param maskedTokenAccuracy top-1 accuracy at the masked positions
   * @param unigramBaselineAccuracy the same for always predicting the most frequent training token
   * @param labelledMails labelled training mails the classifiers were trained on
   * @param testMails test mails classified
   * @param majorityBaselineAccuracy accuracy of always predicting the more frequent class
   * @param fineTune the classifier fine-tuned from the pretrained encoder
   * @param scratch the same classifier trained from random weights
   * @param samplePredictions three test windows: text, masked input, predictions
   */
  record Outcome(long maskedTestTokens, double maskedTokenAccuracy, double unigramBaselineAccuracy, int labelledMails,
      int testMails, double majorityBaselineAccuracy, FewLabelProtocol.Score fineTune, FewLabelProtocol.Score scratch,
      List<String> samplePredictions) {}

  /**
   * Scores the trained graph on the test windows (masks from {@code seed + 1}), trains the two
   * classifiers on the first window of each mail with {@code budget} labels, and adds the summary
   * lines to {@code report}.
   *
   * @param fineTune trains a classifier from the pretrained encoder
   * @param scratch trains the same classifier from random weights
   */
  static Outcome run(TrainingResult trained, MaskedLanguageTask task, ExampleOptions.SpamWindows data, LabelBudget budget,
      ClassifierTrainer fineTune, ClassifierTrainer scratch, long seed, ExampleReport report) {
    WindowedCorpus w = data.windows();
    MaskedTokenAccuracy acc = MaskedTokenAccuracy.evaluate(trained.graph(), trained.encoderOutputVertex(), task,
        data.test(), mostFrequentToken(w.trainWindows(), w.vocabulary().size()), seed + 1, EVAL_BATCH);
    List<String> samples = samplePredictions(trained.graph(), trained.encoderOutputVertex(), task, w.testWindows(),
        w.vocabulary());
    FewLabelProtocol.Row few = FewLabelProtocol.builder(List.of(budget), seed).build()
        .run(labelled(w.trainFirstWindows(), w.trainLabels()), labelled(w.testFirstWindows(), w.testLabels()),
            fineTune, scratch)
        .rows().get(0);
    int[] labels = w.testLabels();
    double spam = Arrays.stream(labels).sum() / (double) labels.length;
    Outcome o = new Outcome(acc.masked(), acc.accuracy(), acc.unigramAccuracy(), few.subsetSize(), labels.length,
        Math.max(spam, 1 - spam), few.pretrained(), few.scratch(), samples);
    report.line("masked-token top-1 accuracy on %d held-out tokens: %.2f %% (unigram baseline %.2f %%)",
        o.maskedTestTokens(), 100 * o.maskedTokenAccuracy(), 100 * o.unigramBaselineAccuracy());
    report.line("ham/spam with %d labelled mails, %d test mails (majority class %.2f %%):", o.labelledMails(),
        o.testMails(), 100 * o.majorityBaselineAccuracy());
    report.line("  fine-tuned from pretrained: accuracy %.2f %%, macro-F1 %.3f", 100 * o.fineTune().accuracy(),
        o.fineTune().macroF1());
    report.line("  same model from scratch:    accuracy %.2f %%, macro-F1 %.3f", 100 * o.scratch().accuracy(),
        o.scratch().macroF1());
    report.line("sample predictions ([x] = the model's guess at a masked position):");
    samples.forEach(t -> report.line("  %s", t.replace("\n", "\n    ")));
    return o;
  }

  /** Every window of {@code windows} (token ids [n, length]) with its mail's label, two classes. */
  private static LabelledData labelled(TokenWindowSource windows, int[] labels) {
    long[] all = new long[(int) windows.size()];
    Arrays.setAll(all, i -> i);
    return new LabelledData(windows.get(all), labels, 2);
  }

  /** Three test windows with BERT masks: original, what the model saw, what it predicted. */
  private static List<String> samplePredictions(ComputationGraph graph, String encoderOutput,
      MaskedLanguageTask task, TokenWindowSource test, Vocabulary vocab) {
    List<String> out = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(7);
    long step = Math.max(1, test.size() / 3);
    for (long w = 0; w < test.size() && out.size() < 3; w += step) {
      INDArray ids = test.get(new long[] {w});
      MaskedTokens m = task.masker().mask(ids, rng);
      if (m.labelMask().sumNumber().doubleValue() == 0) {
        continue;
      }
      int[][] top = MaskedTokenAccuracy.predictAt(graph, encoderOutput, m.inputs(),
          TokenWindows.paddingMask(ids), m.labelMask());
      int[] original = ids.toIntVector();
      int[] seen = m.inputs().toIntVector();
      StringBuilder a = new StringBuilder("text:      ");
      StringBuilder b = new StringBuilder("model saw: ");
      StringBuilder c = new StringBuilder("predicted: ");
      for (int t = 1; t < original.length && original[t] != Vocabulary.PAD; t++) {
        a.append(vocab.tokenOf(original[t])).append(' ');
        b.append(vocab.tokenOf(seen[t])).append(' ');
        c.append(top[0][t] >= 0 ? "[" + vocab.tokenOf(top[0][t]) + "]" : vocab.tokenOf(original[t])).append(' ');
      }
      out.add(a.toString().trim() + "\n" + b.toString().trim() + "\n" + c.toString().trim());
    }
    return out;
  }

  /** The regular token (not a special one) that occurs most often in the training windows. */
  private static int mostFrequentToken(io.github.ssl4j.core.text.TokenWindowSource windows, int vocabularySize) {
    long[] counts = new long[vocabularySize];
    for (int i = 0; i < windows.size(); i++) {
      for (int id : windows.window(i)) {
        counts[id]++;
      }
    }
    int best = Vocabulary.FIRST_REGULAR_ID;
    for (int id = Vocabulary.FIRST_REGULAR_ID; id < vocabularySize; id++) {
      if (counts[id] > counts[best]) {
        best = id;
      }
    }
    return best;
  }
}
