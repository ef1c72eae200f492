package io.github.ssl4j.examples;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretrainedEncoder;
import io.github.ssl4j.core.eval.Classifier;
import io.github.ssl4j.core.eval.ClassifierTrainer;
import io.github.ssl4j.core.eval.FewLabelProtocol;
import io.github.ssl4j.core.eval.KnnClassifier;
import io.github.ssl4j.core.eval.LabelBudget;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.eval.LinearProbe;
import io.github.ssl4j.core.eval.Metrics;
import io.github.ssl4j.core.finetune.FineTuneAdapter;
import io.github.ssl4j.core.finetune.FineTuneMode;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The evaluation the image examples share: on the frozen representation of the pretrained encoder
 * and of a random-init copy, kNN and linear probes on all labels and on a few labels per class;
 * then the few-label protocol, fine-tuning encoder + linear head against the same network trained
 * from scratch, over several seeds (subset and initialisation), means reported.
 *
 * <p>The pretrained encoder is fine-tuned after a head warm-up (LP-FT, {@link
 * FineTuneAdapter.Builder#headWarmup}); the from-scratch network is trained from a random head
 * (Adam 1e-3, batch 60), which is its better recipe: a warm-up on random features costs it
 * accuracy (docs/tasks/contrastive.md). The pretrained encoder's fine-tune without warm-up is
 * reported too.
 */
final class EncoderEvaluation {
  /** Fine-tuning on the labelled subset: Adam with this learning rate. */
  static final double FINE_TUNE_LR = 1e-3;
  /** Fine-tuning minibatch size (600 labels in 10 steps per epoch). */
  static final int FINE_TUNE_BATCH = 60;
  /** Head warm-up before fine-tuning the pretrained encoder: epochs on the frozen representation. */
  static final int HEAD_WARMUP_EPOCHS = 100;
  /** Adam learning rate of the head warm-up (a linear head on fixed features takes a larger step). */
  static final double HEAD_WARMUP_LR = 1e-2;
  /** Images per forward pass when computing representations (bounds activation memory). */
  static final int EMBED_BATCH = 1000;
  /**
   * Linear probes are fitted to convergence with full-batch L-BFGS (strong-Wolfe line search), at
   * most this many iterations.
   */
  static final int PROBE_MAX_ITERATIONS = 300;
  /**
   * L2 coefficient of the linear probes: the penalty is {@code (l2 / 2) * |W|^2} on the mean
   * cross-entropy, so 2e-4 is {@code 1e-4 * |W|^2}.
   */
  static final double PROBE_L2 = 2e-4;

  private EncoderEvaluation() {}

  /**
   * @param labelsPerClass labelled training images per class for the few-label evaluations
   * @param probeIterations L-BFGS iteration budget of each linear probe
   * @param ftEpochs epochs of the fine-tune and from-scratch runs
   * @param ftRepeats repeats of the few-label runs (repeat r: seed + r for subset and initialisation)
   * @param headWarmupEpochs head warm-up epochs before fine-tuning the pretrained encoder (0: none)
   * @param seed seed of the subset, probes and fine-tuning
   */
  record Settings(int labelsPerClass, int probeIterations, int ftEpochs, int ftRepeats, int headWarmupEpochs,
      long seed) {}

  /**
   * The frozen representation under a kNN classifier (k = 200, T = 0.1) and a linear probe on all
   * labels, pretrained and random init; accuracies as fractions.
   */
  record Frozen(double knnPretrained, double knnRandom, double probePretrained, double probeRandom) {}

  /** Accuracies and macro-F1 as fractions; seconds per phase (pretrained and random together). */
  record Outcome(
      double knnPretrained,
      double knnRandom,
      double probePretrained,
      double probeRandom,
      int fewLabels,
      double probeFewPretrained,
      double probeFewRandom,
      double fineTunePretrained,
      double fineTunePretrainedMacroF1,
      double fineTuneScratch,
      double fineTuneScratchMacroF1,
      FewLabelDetail fewLabel,
      int probeIterations,
      double embedSeconds,
      double knnSeconds,
      double probeSeconds,
      double probeFewSeconds,
      double fewLabelSeconds) {}

  /**
   * One repeat of the few-label runs: its seed and test accuracies (fractions): the fine-tunes and,
   * on the same labelled subset, the linear probes of the frozen pretrained and random-init encoders.
   */
  record FewLabelRun(long seed, double fineTune, double fineTuneNoWarmup, double scratch, double probePretrained,
      double probeRandom) {}

  /**
   * The few-label runs beyond their means: settings, spreads (sample standard deviations of the
   * accuracies), the pretrained encoder's fine-tune without head warm-up (mean), and every repeat.
   */
  record FewLabelDetail(int repeats, int headWarmupEpochs, double fineTuneSd, double scratchSd,
      double fineTuneNoWarmup, List<FewLabelRun> runs) {}

  /**
   * The frozen representation only: kNN and a linear probe on all labels, next to a random-init
   * copy of the encoder. Each set is embedded in one forward pass, so use it for encoders with small
   * activations (an MLP); {@link #run} embeds in batches.
   *
   * @param pretrained the pretrained encoder
   * @param encoder its architecture (for the random-init copy)
   * @param train training examples in the encoder's input layout, with labels
   * @param test test examples in the same layout, with labels
   * @param probeIterations L-BFGS iteration budget of each linear probe
   * @param seed seed of the random-init copy
   */
  static Frozen frozen(PretrainedEncoder pretrained, Encoder encoder, LabelledData train, LabelledData test,
      int probeIterations, long seed) {
    return frozen(pretrained, encoder, train, test, probeIterations, seed, Math.max(train.size(), test.size()));
  }

  /**
   * {@link #frozen(PretrainedEncoder, Encoder, LabelledData, LabelledData, int, long)} embedding
   * {@code embedBatch} examples per forward pass: for encoders with large activations (a CNN).
   */
  static Frozen frozen(PretrainedEncoder pretrained, Encoder encoder, LabelledData train, LabelledData test,
      int probeIterations, long seed, int embedBatch) {
    double[] pre = measure(pretrained, train, test, embedBatch, probeIterations, List.of(), new double[4]);
    double[] rnd = measure(randomCopy(pretrained, encoder, seed), train, test, embedBatch, probeIterations, List.of(),
        new double[4]);
    return new Frozen(pre[0], rnd[0], pre[1], rnd[1]);
  }

  /**
   * Runs the whole evaluation.
   *
   * @param pretrained the pretrained encoder
   * @param encoder its architecture (for the random-init copy and the scratch network)
   * @param train training images in the encoder's input layout, with labels
   * @param test test images in the same layout, with labels
   */
  static Outcome run(
      PretrainedEncoder pretrained, Encoder encoder, LabelledData train, LabelledData test, Settings s) {
    PretrainedEncoder randomEncoder = randomCopy(pretrained, encoder, s.seed());
    LabelBudget budget = LabelBudget.perClass(s.labelsPerClass());
    FewLabelProtocol protocol = FewLabelProtocol.builder(List.of(budget), s.seed()).repeats(s.ftRepeats()).build();
    List<int[]> subsets = new ArrayList<>(); // the subsets the protocol below draws, one per repeat
    for (int r = 0; r < s.ftRepeats(); r++) {
      subsets.add(budget.select(train, protocol.repeatSeed(r)));
    }
    double[] secs = new double[4];
    double[] pre = measure(pretrained, train, test, EMBED_BATCH, s.probeIterations(), subsets, secs);
    double[] rnd = measure(randomEncoder, train, test, EMBED_BATCH, s.probeIterations(), subsets, secs);

    long t = System.nanoTime();
    // the scratch network starts from a new random initialisation in each repeat
    ClassifierTrainer scratch = new ClassifierTrainer() {
      @Override
      public Classifier train(LabelledData subset) {
        return train(subset, s.seed());
      }

      @Override
      public Classifier train(LabelledData subset, long seed) {
        return fineTuner(FineTuneAdapter.builder(pretrained.freshCopy(seed), encoder), 0, s).train(subset, seed);
      }
    };
    FewLabelProtocol.Row few = protocol.run(train, test,
        fineTuner(FineTuneAdapter.builder(pretrained), s.headWarmupEpochs(), s), scratch).rows().get(0);
    // the pretrained encoder fine-tuned from a random head, on the same subsets and seeds
    FineTuneAdapter noWarmup = fineTuner(FineTuneAdapter.builder(pretrained), 0, s);
    List<FewLabelRun> runs = new ArrayList<>();
    for (int r = 0; r < s.ftRepeats(); r++) {
      long seed = protocol.repeatSeed(r);
      double noWarmupAccuracy = few.pretrainedRuns().get(r).accuracy();
      if (s.headWarmupEpochs() > 0) {
        LabelledData subset = train.subset(subsets.get(r));
        noWarmupAccuracy = Metrics.accuracy(test.labels(), noWarmup.train(subset, seed).predict(test.features()));
      }
      runs.add(new FewLabelRun(seed, few.pretrainedRuns().get(r).accuracy(), noWarmupAccuracy,
          few.scratchRuns().get(r).accuracy(), pre[2 + r], rnd[2 + r]));
    }
    return new Outcome(
        pre[0], rnd[0], pre[1], rnd[1], few.subsetSize(), pre[2], rnd[2],
        few.pretrained().accuracy(), few.pretrained().macroF1(),
        few.scratch().accuracy(), few.scratch().macroF1(),
        new FewLabelDetail(s.ftRepeats(), s.headWarmupEpochs(), few.pretrainedSd().accuracy(),
            few.scratchSd().accuracy(), runs.stream().mapToDouble(FewLabelRun::fineTuneNoWarmup).average().orElseThrow(),
            runs),
        s.probeIterations(),
        secs[0], secs[1], secs[2], secs[3], seconds(t));
  }

  /** Adds the kNN and linear-probe rows of {@code f} to the report's summary. */
  static void report(ExampleReport report, Frozen f, int dims) {
    report.line("%-30s %s", "representation (" + dims + "-d)", "pretrained   random init");
    report.row("kNN (k=200, T=0.1)", f.knnPretrained(), f.knnRandom());
    report.row("linear probe, all labels", f.probePretrained(), f.probeRandom());
  }

  /**
   * Adds the summary of {@code ev} to the report: the frozen representation (kNN, linear probes on
   * all and on a few labels), then fine-tune (after the head warm-up when there is one) and from
   * scratch, means ± standard deviations over the repeats, macro-F1 and the fine-tune without
   * warm-up.
   */
  static void report(ExampleReport report, Outcome ev, Settings s, int dims) {
    report(report, new Frozen(ev.knnPretrained(), ev.knnRandom(), ev.probePretrained(), ev.probeRandom()), dims);
    report.row(String.format("linear probe, %4d labels", ev.fewLabels()), ev.probeFewPretrained(), ev.probeFewRandom());
    List<FewLabelRun> runs = ev.fewLabel().runs();
    if (runs.size() > 1) {
      double[] p = meanSd(runs.stream().mapToDouble(FewLabelRun::probePretrained).toArray());
      double[] q = meanSd(runs.stream().mapToDouble(FewLabelRun::probeRandom).toArray());
      report.line("same, mean ± sd of %d subsets  %6.2f ± %4.2f %%   %6.2f ± %4.2f %%", runs.size(),
          100 * p[0], 100 * p[1], 100 * q[0], 100 * q[1]);
    }
    String warm = s.headWarmupEpochs() > 0 ? ", head warm-up " + s.headWarmupEpochs() + " epochs" : "";
    report.line("fine-tune, %4d labels        pretrained        from scratch   (%d epochs%s; mean ± sd of %d seeds)",
        ev.fewLabels(), s.ftEpochs(), warm, s.ftRepeats());
    report.line("encoder + linear head         %6.2f ± %4.2f %%   %6.2f ± %4.2f %%",
        100 * ev.fineTunePretrained(), 100 * ev.fewLabel().fineTuneSd(),
        100 * ev.fineTuneScratch(), 100 * ev.fewLabel().scratchSd());
    report.line("macro-F1                      %6.2f %%          %6.2f %%",
        100 * ev.fineTunePretrainedMacroF1(), 100 * ev.fineTuneScratchMacroF1());
    if (s.headWarmupEpochs() > 0) {
      report.line("same without head warm-up     %6.2f %%", 100 * ev.fewLabel().fineTuneNoWarmup());
    }
  }

  /**
   * Embeds {@code train} and {@code test} with {@code e}, {@code embedBatch} examples per forward
   * pass, and scores the representation.
   *
   * @param fewSubsets few-label subsets of {@code train}, one more probe each (may be empty)
   * @param secs seconds added per phase: embed, kNN, probe, few-label probes
   * @return {kNN accuracy, probe accuracy, then the few-label probe accuracy of each subset}
   */
  private static double[] measure(PretrainedEncoder e, LabelledData train, LabelledData test, int embedBatch,
      int probeIterations, List<int[]> fewSubsets, double[] secs) {
    long t = System.nanoTime();
    LabelledData bank = train.withFeatures(e.embed(train.features(), embedBatch));
    LabelledData queries = test.withFeatures(e.embed(test.features(), embedBatch));
    secs[0] += seconds(t);
    t = System.nanoTime();
    double knn = KnnClassifier.builder().build().fit(bank).accuracy(queries);
    secs[1] += seconds(t);
    t = System.nanoTime();
    double probe = probe(probeIterations).evaluate(bank, queries).testAccuracy();
    secs[2] += seconds(t);
    t = System.nanoTime();
    double[] scores = new double[2 + fewSubsets.size()];
    scores[0] = knn;
    scores[1] = probe;
    for (int i = 0; i < fewSubsets.size(); i++) {
      scores[2 + i] = probe(probeIterations).evaluate(bank.subset(fewSubsets.get(i)), queries).testAccuracy();
    }
    secs[3] += seconds(t);
    return scores;
  }

  /** The same architecture as {@code pretrained} with random weights drawn from {@code seed}. */
  private static PretrainedEncoder randomCopy(PretrainedEncoder pretrained, Encoder encoder, long seed) {
    return PretrainedEncoder.from(pretrained.freshCopy(seed), encoder, pretrained.metadata());
  }

  private static LinearProbe probe(int iterations) {
    return LinearProbe.builder().lbfgs(iterations).l2(PROBE_L2).build();
  }

  /**
   * Fine-tunes encoder and a fresh linear head on the subset (Adam 1e-3, batch 60), after {@code
   * warmupEpochs} of head warm-up when &gt; 0; {@link FineTuneAdapter#train(LabelledData, long)}
   * seeds the head and the shuffles with each repeat's seed.
   */
  private static FineTuneAdapter fineTuner(FineTuneAdapter.Builder b, int warmupEpochs, Settings s) {
    b.classification(10)
        .mode(FineTuneMode.FULL)
        .updater(new Adam(FINE_TUNE_LR))
        .epochs(s.ftEpochs())
        .batchSize(FINE_TUNE_BATCH)
        .seed(s.seed());
    if (warmupEpochs > 0) {
      b.headWarmup(warmupEpochs, new Adam(HEAD_WARMUP_LR));
    }
    return b.build();
  }

  /** {mean, sample standard deviation} of {@code x} (sd 0 for one value). */
  private static double[] meanSd(double[] x) {
    double m = java.util.Arrays.stream(x).average().orElseThrow();
    double ss = java.util.Arrays.stream(x).map(v -> (v - m) * (v - m)).sum();
    return new double[] {m, x.length > 1 ? Math.sqrt(ss / (x.length - 1)) : 0};
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
