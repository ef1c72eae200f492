package io.github.ssl4j.examples;

import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.encoders.TransformerEncoder;
import io.github.ssl4j.core.eval.LabelBudget;
import io.github.ssl4j.core.finetune.FineTuneAdapter;
import io.github.ssl4j.core.finetune.FineTuneMode;
import io.github.ssl4j.core.text.Vocabulary;
import io.github.ssl4j.core.train.Trainer;
import io.github.ssl4j.core.train.TrainingResult;
import io.github.ssl4j.tasks.masked.MaskedLanguageTask;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * BERT-style masked language modelling of a small transformer on the SpamAssassin mail bodies,
 * then ham-vs-spam classification with 1 % of the labels, fine-tuned from the pretrained encoder
 * vs. the same model from scratch.
 */
@Command(name = "MaskedLanguageSpamAssassin", mixinStandardHelpOptions = true, description = "Masked language"
    + " modelling on SpamAssassin mails, then a 1 %-label ham/spam classifier (fine-tune vs scratch).")
public final class MaskedLanguageSpamAssassin implements Callable<MaskedLanguageSpamAssassin.Result> {
  @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW decoupled weight decay (default ${DEFAULT-VALUE}).")
  double weightDecay;

  @Mixin ExampleOptions.SpamAssassin mails = new ExampleOptions.SpamAssassin();
  @Mixin ExampleOptions.Training training = new ExampleOptions.Training("masked-language-spam-assassin", 1, 64, 5e-4, 0);

  /** What the run measured; accuracies are fractions in [0, 1]. */
  public record Result(String data, int trainMails, int testMails, int vocabulary, long trainWindowsUsed,
      ExampleReport.Pretraining pretraining, MaskedLanguageEvaluation.Outcome evaluation, Map<String, Double> seconds) {}

  /** Runs with command-line arguments and returns the result. */
  public static Result run(String... args) {
    return ExampleOptions.run(new MaskedLanguageSpamAssassin(), args);
  }

  public static void main(String[] args) {
    ExampleOptions.main(new MaskedLanguageSpamAssassin(), args);
  }

  @Override
  public Result call() {
    training.require(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay", weightDecay,
        "a finite number >= 0", "e.g. --weight-decay 0.01");
    ExampleReport report = ExampleReport.start(training.out, "windows");
    ExampleOptions.SpamWindows data = mails.load(training.seed, training.batch); // windows of 64 token ids
    Vocabulary vocab = data.windows().vocabulary();
    report.lap("load");

    // the recipe: a tiny transformer learns to fill in BERT-masked tokens (15 %), AdamW
    TransformerEncoder encoder = TransformerEncoder.tiny(vocab.size(), 64);
    MaskedLanguageTask task = MaskedLanguageTask.bert(vocab.size());
    Trainer trainer = new Trainer(training.configBuilder().weightDecay(weightDecay).build());
    TrainingResult trained = trainer.fit(task, encoder, data.train());
    var pretraining = report.pretraining(trained, training.batch, "Masked-token cross-entropy per window");
    PretrainedEncoder pretrained = trained.pretrainedEncoder().withVocabulary(vocab);
    pretrained.save(report.file("encoder.zip")); // with its vocabulary, ready to embed new text

    // ham vs spam from the first window of each mail, few labels: fine-tuned vs the same model from scratch
    FineTuneAdapter fineTune = fineTuner(FineTuneAdapter.builder(pretrained));
    FineTuneAdapter scratch = fineTuner(FineTuneAdapter.builder(pretrained.freshCopy(training.seed), encoder));
    MaskedLanguageEvaluation.Outcome ev = MaskedLanguageEvaluation.run(trained, task, data,
        LabelBudget.fraction(mails.labelFraction), fineTune, scratch, training.seed, report);
    report.lap("evaluate");
    return report.finish("Masked language modelling on SpamAssassin: " + data.origin(),
        new Result(data.origin(), data.windows().split().train().size(), data.windows().split().test().size(),
            vocab.size(), data.train().size(), pretraining, ev, report.seconds()));
  }

  /** Encoder + a linear ham/spam head, all trained: Adam at {@code --lr}, batch 16, {@code --ft-epochs}. */
  private FineTuneAdapter fineTuner(FineTuneAdapter.Builder b) {
    return b.classification(2).mode(FineTuneMode.FULL).updater(new Adam(training.lr)).epochs(mails.ftEpochs)
        .batchSize(16).seed(training.seed).build();
  }
}
