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
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.learning.config.Adam;
import io.github.ssl4j.core.train.LossRecord;

/**
 * The evaluation the image workloads share (W1, W2): on the frozen representation of the
 * pretrained encoder and of a random-init copy, kNN and linear probes on all labels and on a few
 * labels per class; then the few-label protocol, fine-tuning encoder + linear head against the same
 * network trained from scratch, over several seeds (subset and initialisation), means reported.
 *
 * <p>The pretrained encoder is fine-tuned after a head warm-up (LP-FT, {@link
 * FineTuneAdapter.Builder#headWarmup}); the from-scratch network is trained as the peer trains both
 * (Adam 1e-3, batch 60, from a random head), which is its better recipe: a warm-up on random
 * features costs it accuracy (docs/tasks/contrastive.md). The pretrained encoder's fine-tune
 * without warm-up is reported too.
 */
final class EncoderEvaluation {
  /** Fine-tuning on the labelled subset: Adam with this learning rate (as the peer). */
  static final double FINE_TUNE_LR = 1e-3;
  /** Fine-tuning minibatch size (as the peer: 600 labels in 10 steps per epoch). */
  static final int FINE_TUNE_BATCH = 60;
  /** Head warm-up before fine-tuning the pretrained encoder: epochs on the frozen representation. */
  static final int HEAD_WARMUP_EPOCHS = 100;
  /** Adam learning rate of the head warm-up (a linear head on fixed features takes a larger step). */
  static final double HEAD_WARMUP_LR = 1e-2;
  /** Images per forward pass when computing representations (bounds activation memory). */
  private static final int EMBED_BATCH = 1000;
  /**
   * Linear probes are fitted to convergence with full-batch L-BFGS, at most this many iterations
   * (as the PyTorch peer's {@code logreg_accuracy}: L-BFGS, 300 iterations, strong-Wolfe search).
   */
  static final int PROBE_MAX_ITERATIONS = 300;
  /**
   * L2 coefficient of the linear probes: the penalty is {@code (l2 / 2) * |W|^2} on the mean
   * cross-entropy, so 2e-4 is the peer's {@code 1e-4 * |W|^2} (peer.py logreg_accuracy).
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
      double fineTuneSeconds,
      double scratchSeconds) {}

  /** One repeat of the few-label runs: its seed and the three test accuracies (fractions). */
  record FewLabelRun(long seed, double fineTune, double fineTuneNoWarmup, double scratch) {}

  /**
   * The few-label runs beyond their means: settings, spreads (sample standard deviations of the
   * accuracies), the pretrained encoder's fine-tune without head warm-up (mean), and every repeat.
   */
  record FewLabelDetail(int repeats, int headWarmupEpochs, double fineTuneSd, double scratchSd,
      double fineTuneNoWarmup, List<FewLabelRun> runs) {}

  /**
   * Runs the evaluation.
   *
   * @param pretrained the pretrained encoder
   * @param encoder its architecture (for the random-init copy and the scratch network)
   * @param train training images in the encoder's input layout, with labels
   * @param test test images in the same layout, with labels
   */
  static Outcome run(
      PretrainedEncoder pretrained, Encoder encoder, LabelledData train, LabelledData test, Settings s) {
    ComputationGraph random = pretrained.freshCopy(s.seed()); // same architecture, random weights
    PretrainedEncoder randomEncoder = PretrainedEncoder.from(random, encoder, pretrained.metadata());

    LabelBudget budget = LabelBudget.perClass(s.labelsPerClass());
    int[] fewIndices = budget.select(train, s.seed()); // the same subset the protocol below draws
    double[] knn = new double[2];
    double[] probe = new double[2];
    double[] probeFew = new double[2];
    double[] secs = new double[4];
    for (int i = 0; i < 2; i++) {
      PretrainedEncoder e = i == 0 ? pretrained : randomEncoder;
      long t = System.nanoTime();
      LabelledData bank = train.withFeatures(e.embed(train.features(), EMBED_BATCH));
      LabelledData queries = test.withFeatures(e.embed(test.features(), EMBED_BATCH));
      secs[0] += seconds(t);
      t = System.nanoTime();
      knn[i] = KnnClassifier.builder().build().fit(bank).accuracy(queries);
      secs[1] += seconds(t);
      t = System.nanoTime();
      probe[i] = probe(s.probeIterations()).evaluate(bank, queries).testAccuracy();
      secs[2] += seconds(t);
      t = System.nanoTime();
      probeFew[i] = probe(s.probeIterations()).evaluate(bank.subset(fewIndices), queries).testAccuracy();
      secs[3] += seconds(t);
    }

    double[] fitSeconds = new double[2];
    FewLabelProtocol protocol = FewLabelProtocol.builder(List.of(budget), s.seed()).repeats(s.ftRepeats()).build();
    FewLabelProtocol.Report report =
        protocol.run(train, test,
                fineTuner(seed -> FineTuneAdapter.builder(pretrained), s.headWarmupEpochs(), s, fitSeconds, 0),
                fineTuner(seed -> FineTuneAdapter.builder(pretrained.freshCopy(seed), encoder), 0, s, fitSeconds, 1));
    FewLabelProtocol.Row few = report.rows().get(0);
    // the pretrained encoder fine-tuned from a random head, on the same subsets and seeds
    ClassifierTrainer noWarmupTuner = fineTuner(x -> FineTuneAdapter.builder(pretrained), 0, s, new double[1], 0);
    List<FewLabelRun> runs = new java.util.ArrayList<>();
    for (int r = 0; r < s.ftRepeats(); r++) {
      long seed = protocol.repeatSeed(r);
      double noWarmup = few.pretrainedRuns().get(r).accuracy();
      if (s.headWarmupEpochs() > 0) {
        LabelledData subset = train.subset(budget.select(train, seed));
        noWarmup = Metrics.accuracy(test.labels(), noWarmupTuner.train(subset, seed).predict(test.features()));
      }
      runs.add(new FewLabelRun(seed, few.pretrainedRuns().get(r).accuracy(), noWarmup,
          few.scratchRuns().get(r).accuracy()));
    }
    return new Outcome(
        knn[0], knn[1], probe[0], probe[1], few.subsetSize(), probeFew[0], probeFew[1],
        few.pretrained().accuracy(), few.pretrained().macroF1(),
        few.scratch().accuracy(), few.scratch().macroF1(),
        new FewLabelDetail(s.ftRepeats(), s.headWarmupEpochs(), few.pretrainedSd().accuracy(),
            few.scratchSd().accuracy(), runs.stream().mapToDouble(FewLabelRun::fineTuneNoWarmup).average().orElseThrow(),
            runs),
        s.probeIterations(),
        secs[0], secs[1], secs[2], secs[3], fitSeconds[0], fitSeconds[1]);
  }

  /**
   * The few-label lines of an example's summary: fine-tune (after the head warm-up when there is
   * one) and from scratch, means ± standard deviations over the repeats, then macro-F1 and the
   * fine-tune without warm-up.
   */
  static String fewLabelLines(Outcome ev, Settings s) {
    String warm = s.headWarmupEpochs() > 0 ? ", head warm-up " + s.headWarmupEpochs() + " epochs" : "";
    StringBuilder b = new StringBuilder();
    b.append(String.format(java.util.Locale.ROOT,
        "  fine-tune, %4d labels        pretrained        from scratch   (%d epochs%s; mean ± sd of %d seeds)%n",
        ev.fewLabels(), s.ftEpochs(), warm, s.ftRepeats()));
    b.append(String.format(java.util.Locale.ROOT, "  encoder + linear head         %6.2f ± %4.2f %%   %6.2f ± %4.2f %%%n",
        100 * ev.fineTunePretrained(), 100 * ev.fewLabel().fineTuneSd(),
        100 * ev.fineTuneScratch(), 100 * ev.fewLabel().scratchSd()));
    b.append(String.format(java.util.Locale.ROOT, "  macro-F1                      %6.2f %%          %6.2f %%%n",
        100 * ev.fineTunePretrainedMacroF1(), 100 * ev.fineTuneScratchMacroF1()));
    if (s.headWarmupEpochs() > 0) {
      b.append(String.format(java.util.Locale.ROOT, "  same without head warm-up     %6.2f %%%n", 100 * ev.fewLabel().fineTuneNoWarmup()));
    }
    return b.toString();
  }

  private static LinearProbe probe(int iterations) {
    return LinearProbe.builder().lbfgs(iterations).l2(PROBE_L2).build();
  }

  /**
   * Fine-tunes encoder and a fresh linear head on the subset (peer: Adam 1e-3, batch 60), after
   * {@code warmupEpochs} of head warm-up when &gt; 0; each repeat's seed seeds the head, the
   * shuffles and (through {@code builderFor}) the network it starts from.
   */
  private static ClassifierTrainer fineTuner(java.util.function.LongFunction<FineTuneAdapter.Builder> builderFor,
      int warmupEpochs, Settings s, double[] seconds, int slot) {
    return new ClassifierTrainer() {
      @Override
      public Classifier train(LabelledData subset) {
        return train(subset, s.seed());
      }

      @Override
      public Classifier train(LabelledData subset, long seed) {
        FineTuneAdapter.Builder b = builderFor.apply(seed)
            .classification(10)
            .mode(FineTuneMode.FULL)
            .updater(new Adam(FINE_TUNE_LR))
            .epochs(s.ftEpochs())
            .batchSize(FINE_TUNE_BATCH)
            .seed(seed);
        if (warmupEpochs > 0) {
          b.headWarmup(warmupEpochs, new Adam(HEAD_WARMUP_LR));
        }
        long t = System.nanoTime();
        var tuned = b.build().fit(subset);
        seconds[slot] += seconds(t);
        return tuned::predict;
      }
    };
  }

  /** Per-step loss and (from 20 steps on) its trailing moving average against the step, as a PNG. */
  static void writeLossCurve(List<LossRecord> history, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int n = history.size();
    double[] step = new double[n];
    double[] loss = new double[n];
    double[] smooth = new double[n];
    int window = Math.max(1, Math.min(50, n / 10)); // 1: too few steps to smooth
    double sum = 0;
    for (int i = 0; i < n; i++) {
      step[i] = history.get(i).step();
      loss[i] = history.get(i).loss();
      sum += loss[i];
      if (i >= window) {
        sum -= loss[i - window];
      }
      smooth[i] = sum / Math.min(i + 1, window);
    }
    XYChart chart =
        new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step").yAxisTitle("loss").build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    chart.getStyler().setMarkerSize(0);
    XYSeries raw = chart.addSeries("loss per step", step, loss);
    raw.setMarker(SeriesMarkers.NONE);
    raw.setLineColor(new java.awt.Color(150, 180, 220));
    if (window > 1) {
      XYSeries avg = chart.addSeries("moving average (" + window + " steps)", step, smooth);
      avg.setMarker(SeriesMarkers.NONE);
      avg.setLineColor(new java.awt.Color(200, 40, 40));
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
