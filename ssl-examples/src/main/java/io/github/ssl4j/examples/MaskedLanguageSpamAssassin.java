package io.github.ssl4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.dl4j.Dl4jSetup;
import io.github.ssl4j.core.encoders.TransformerEncoder;
import io.github.ssl4j.core.eval.ClassifierTrainer;
import io.github.ssl4j.core.eval.FewLabelProtocol;
import io.github.ssl4j.core.eval.LabelBudget;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.finetune.FineTuneAdapter;
import io.github.ssl4j.core.finetune.FineTuneMode;
import io.github.ssl4j.core.text.TokenWindowSource;
import io.github.ssl4j.core.text.TokenWindows;
import io.github.ssl4j.core.text.Vocabulary;
import io.github.ssl4j.core.text.WindowedCorpus;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.masked.MaskedLanguageTask;
import io.github.ssl4j.tasks.masked.MaskedTokenAccuracy;
import io.github.ssl4j.tasks.masked.MaskedTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Workload W3 end to end: BERT-style masked language modelling of a small transformer on the
 * SpamAssassin mail bodies, then ham-vs-spam classification with 1 % of the labels, fine-tuned
 * from the pretrained encoder vs. the same model from scratch.
 *
 * <pre>
 * mvn -q -pl ssl-examples -am package -DskipTests exec:java \
 *   -Dexec.mainClass=io.github.ssl4j.examples.MaskedLanguageSpamAssassin -Dexec.args="--data spam/package/data"
 * </pre>
 */
@Command(
    name = "MaskedLanguageSpamAssassin",
    mixinStandardHelpOptions = true,
    description = "Pretrain the W3 transformer by masked language modelling on SpamAssassin mails, then"
        + " report masked-token accuracy and a 1 %-label ham/spam classifier (fine-tune vs scratch).")
public final class MaskedLanguageSpamAssassin implements Callable<Integer> {
  private static final int EVAL_BATCH = 128;
  private static final int FINE_TUNE_BATCH = 16;

  @Option(names = "--data", description = "SpamAssassin data directory (package/data of the npm package; default: $SPAM_DIR, spam/package/data, else the bundled sample).")
  Path data;

  @Option(names = "--epochs", defaultValue = "1", description = "Pretraining epochs (default ${DEFAULT-VALUE}, the peer's budget).")
  int epochs;

  @Option(names = "--train-windows", defaultValue = "20000", description = "Pretrain on this many training windows, a seeded random subset (-1: all 81,821, the peer's budget; default ${DEFAULT-VALUE} keeps the run near 6 minutes on 2 cores).")
  int trainWindows;

  @Option(names = "--test-windows", defaultValue = "-1", description = "Evaluate masked-token accuracy on at most this many test windows (-1: all).")
  int testWindows;

  @Option(names = "--batch", defaultValue = "64", description = "Windows per step (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "5e-4", description = "AdamW learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW decoupled weight decay (default ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--label-fraction", defaultValue = "0.01", description = "Fraction of the training mails labelled for the spam classifier, per class (default ${DEFAULT-VALUE}).")
  double labelFraction;

  @Option(names = "--ft-epochs", defaultValue = "50", description = "Epochs of the few-label fine-tune and scratch runs (default ${DEFAULT-VALUE}, as the peer).")
  int ftEpochs;

  @Option(names = "--seed", defaultValue = "0", description = "Seed: the 80/20 split, initialisation, masks, subsets (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", defaultValue = "target/examples/masked-language-spam-assassin", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Spec CommandSpec spec;

  private Result result;

  /** What the run measured (also written to results.json). */
  public record Result(String data, int trainMails, int testMails, int vocabulary, int trainWindowsTotal,
      int trainWindowsUsed, int testWindowsUsed, int epochs, int batch, long steps, double firstLoss,
      double finalLoss, double sequencesPerSecond, long maskedTestTokens, double maskedTokenAccuracy,
      double unigramBaselineAccuracy, int labelledMails, int spamTestMails, double majorityBaselineAccuracy,
      double fineTuneAccuracy, double fineTuneMacroF1, double scratchAccuracy, double scratchMacroF1,
      List<String> samplePredictions, double pretrainSeconds, double totalSeconds, String encoderFile) {}

  /** Runs with command-line arguments and returns the result. */
  public static Result run(String... args) {
    MaskedLanguageSpamAssassin app = new MaskedLanguageSpamAssassin();
    return ExampleSupport.run(app, () -> app.result, args);
  }

  public static void main(String[] args) {
    Dl4jSetup.ensureConfigured();
    System.exit(new CommandLine(new MaskedLanguageSpamAssassin()).execute(args));
  }

  private void validate() {
    ExampleSupport.require(spec, epochs >= 1, "--epochs", epochs, "an integer >= 1", "e.g. --epochs 1");
    ExampleSupport.require(spec, trainWindows == -1 || trainWindows >= 1, "--train-windows", trainWindows,
        "-1 (all) or >= 1", "e.g. --train-windows 20000");
    ExampleSupport.require(spec, testWindows == -1 || testWindows >= 1, "--test-windows", testWindows,
        "-1 (all) or >= 1", "e.g. --test-windows 5000");
    ExampleSupport.require(spec, batch >= 1, "--batch", batch, "an integer >= 1", "e.g. --batch 64");
    ExampleSupport.require(spec, lr > 0 && Double.isFinite(lr), "--lr", lr, "a finite number > 0", "e.g. --lr 5e-4");
    ExampleSupport.require(spec, weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay", weightDecay,
        "a finite number >= 0", "e.g. --weight-decay 0.01");
    ExampleSupport.require(spec, labelFraction > 0 && labelFraction <= 1, "--label-fraction", labelFraction,
        "a number in (0, 1]", "e.g. --label-fraction 0.01");
    ExampleSupport.require(spec, ftEpochs >= 1, "--ft-epochs", ftEpochs, "an integer >= 1", "e.g. --ft-epochs 50");
  }

  @Override
  public Integer call() throws IOException {
    validate();
    long start = System.nanoTime();
    SpamCorpus corpus = SpamCorpus.load(data);
    corpus.announce();
    WindowedCorpus windows = WindowedCorpus.builder().seed(seed).build(corpus.documents());
    Vocabulary vocab = windows.vocabulary();
    TokenWindowSource allTrain = windows.trainWindows();
    ExampleSource train = subset(allTrain, trainWindows, seed);
    ExampleSource test = subset(windows.testWindows(), testWindows, seed + 1);
    ExampleSupport.require(spec, batch <= train.size(), "--batch", batch,
        "at most the number of training windows (" + train.size() + ")", "lower --batch");
    System.out.printf(Locale.ROOT, "W3 corpus: %d train / %d test mails, vocabulary %d, %d train windows"
            + " (%d used), %d test windows (%d used)%n", windows.split().train().size(), windows.split().test().size(),
        vocab.size(), allTrain.size(), train.size(), windows.testWindows().size(), test.size());

    // ---- pretraining: W3 transformer, BERT masking, AdamW
    MaskedLanguageTask task = MaskedLanguageTask.bert(vocab.size());
    TransformerEncoder encoder = TransformerEncoder.tiny(vocab.size(), 64);
    TrainingConfig config = TrainingConfig.builder(batch)
        .epochs(epochs)
        .seed(seed)
        .updater(new Adam(lr))
        .weightDecay(weightDecay)
        .logEverySteps(50)
        .checkpointDir(out.resolve("checkpoints")).overwrite(true)
        .build();
    Files.createDirectories(out);
    long t = System.nanoTime();
    TrainingResult trained = new Trainer(config).fit(task, encoder, train);
    double pretrainSeconds = EncoderEvaluation.seconds(t);
    trained.writeHistory(out);
    EncoderEvaluation.writeLossCurve(trained.history(),
        "Masked language modelling (W3): summed cross-entropy of masked tokens per window", out.resolve("loss-curve.png"));

    // ---- masked-token accuracy on held-out windows, fixed masks, next to the unigram baseline
    ComputationGraph graph = trained.graph();
    MaskedTokenAccuracy acc = MaskedTokenAccuracy.evaluate(graph, encoder.outputVertex(), task, test,
        Vocabulary.FIRST_REGULAR_ID, seed + 1, EVAL_BATCH);
    List<String> samples = samplePredictions(graph, encoder, task, windows.testWindows(), vocab);

    PretrainedEncoder pretrained = PretrainedEncoder.from(graph, encoder, trained.metadata()).withVocabulary(vocab);
    Path encoderFile = out.resolve("encoder.zip");
    pretrained.save(encoderFile);

    // ---- ham vs spam with 1 % of the training labels: first window of each mail, mean-pooled
    LabelledData spamTrain = new LabelledData(windows.trainFirstWindows().get(all(windows.trainFirstWindows())),
        windows.trainLabels(), 2);
    LabelledData spamTest = new LabelledData(windows.testFirstWindows().get(all(windows.testFirstWindows())),
        windows.testLabels(), 2);
    ComputationGraph random = pretrained.freshCopy(seed);
    FewLabelProtocol.Report report = FewLabelProtocol.builder(List.of(LabelBudget.fraction(labelFraction)), seed)
        .build()
        .run(spamTrain, spamTest, fineTuner(FineTuneAdapter.builder(pretrained)),
            fineTuner(FineTuneAdapter.builder(random, encoder)));
    FewLabelProtocol.Row few = report.rows().get(0);
    int spamTestCount = 0;
    for (int y : windows.testLabels()) {
      spamTestCount += y;
    }
    double spamShare = spamTestCount / (double) windows.testLabels().length;

    result = new Result(corpus.origin(), windows.split().train().size(), windows.split().test().size(), vocab.size(),
        (int) allTrain.size(), (int) train.size(), (int) test.size(), epochs, batch, trained.steps(),
        trained.history().get(0).loss(), trained.finalLoss(), trained.samplesPerSecond(), acc.masked(),
        acc.accuracy(), acc.unigramAccuracy(), few.subsetSize(), windows.testLabels().length,
        Math.max(spamShare, 1 - spamShare), few.pretrained().accuracy(), few.pretrained().macroF1(),
        few.scratch().accuracy(), few.scratch().macroF1(), samples, pretrainSeconds, EncoderEvaluation.seconds(start),
        encoderFile.toString());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(), result);
    printSummary(corpus.isSample());
    return 0;
  }

  private ClassifierTrainer fineTuner(FineTuneAdapter.Builder builder) {
    FineTuneAdapter adapter = builder.classification(2).mode(FineTuneMode.FULL).updater(new Adam(lr))
        .epochs(ftEpochs).batchSize(FINE_TUNE_BATCH).seed(seed).build();
    return subset -> adapter.fit(subset)::predict;
  }

  private static long[] all(ExampleSource s) {
    long[] idx = new long[(int) s.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    return idx;
  }

  /** A seeded random subset of {@code limit} windows (all for -1), in index order. */
  private static ExampleSource subset(TokenWindowSource source, int limit, long seed) {
    if (limit == -1 || limit >= source.size()) {
      return source;
    }
    int n = (int) source.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < limit; i++) { // partial Fisher-Yates
      int j = i + r.nextInt(n - i);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    int[] chosen = java.util.Arrays.copyOf(order, limit);
    java.util.Arrays.sort(chosen);
    int[][] rows = new int[limit][];
    for (int i = 0; i < limit; i++) {
      rows[i] = source.window(chosen[i]);
    }
    return TokenWindowSource.of(rows);
  }

  /** Three test windows with BERT masks: original, what the model saw, what it predicted. */
  private static List<String> samplePredictions(ComputationGraph graph, TransformerEncoder encoder,
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
      int[][] top = MaskedTokenAccuracy.predictAt(graph, encoder.outputVertex(), m.inputs(),
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

  private void printSummary(boolean sample) {
    Result r = result;
    System.out.println();
    System.out.printf(Locale.ROOT, "W3 masked language modelling on %s%n", r.data());
    System.out.printf(Locale.ROOT, "  pretraining: %d windows x %d epoch(s), %d steps, loss %.3f -> %.3f, %.1f windows/s, %.0f s%n",
        r.trainWindowsUsed(), r.epochs(), r.steps(), r.firstLoss(), r.finalLoss(), r.sequencesPerSecond(), r.pretrainSeconds());
    System.out.printf(Locale.ROOT, "  masked-token top-1 accuracy on %d held-out tokens: %.2f %% (unigram baseline %.2f %%)%n",
        r.maskedTestTokens(), 100 * r.maskedTokenAccuracy(), 100 * r.unigramBaselineAccuracy());
    System.out.printf(Locale.ROOT, "  ham/spam with %d labelled mails (%.0f %% of the training labels), %d test mails"
            + " (majority class %.2f %%):%n", r.labelledMails(), 100 * labelFraction, r.spamTestMails(),
        100 * r.majorityBaselineAccuracy());
    System.out.printf(Locale.ROOT, "    fine-tuned from pretrained: accuracy %.2f %%, macro-F1 %.3f%n",
        100 * r.fineTuneAccuracy(), r.fineTuneMacroF1());
    System.out.printf(Locale.ROOT, "    same model from scratch:    accuracy %.2f %%, macro-F1 %.3f%n",
        100 * r.scratchAccuracy(), r.scratchMacroF1());
    System.out.println("  sample predictions ([x] = the model's guess at a masked position):");
    for (String s : r.samplePredictions()) {
      System.out.println("    " + s.replace("\n", "\n    "));
    }
    System.out.printf(Locale.ROOT, "  total %.0f s; encoder (with vocabulary) saved to %s%n", r.totalSeconds(), r.encoderFile());
    if (sample) {
      System.out.println("  NOTE: bundled sample corpus; " + SpamCorpus.HOW_TO_GET + " for the real figures.");
    }
  }
}
