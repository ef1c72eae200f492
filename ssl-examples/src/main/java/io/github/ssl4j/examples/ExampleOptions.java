package io.github.ssl4j.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.eval.LabelledData;
import io.github.ssl4j.core.io.AtomicFiles;
import io.github.ssl4j.core.io.DirectoryLock;
import io.github.ssl4j.core.text.TokenWindowSource;
import io.github.ssl4j.core.text.WindowedCorpus;
import io.github.ssl4j.core.text.WordPieceTrainer;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.tasks.nextframe.MovingFashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command-line options the examples share, as picocli mixins, and how an example is run: from
 * {@code main} (exit code) or from code ({@link #run}, returning what it measured). Every mixin's
 * {@link Checked#check()} runs after parsing and before the example's {@code call()}, so a bad value
 * is rejected before anything slow happens.
 */
final class ExampleOptions {
  private ExampleOptions() {}

  /** A mixin whose values are checked before the example runs. */
  interface Checked {
    /** @throws ParameterException naming the option, the value and how to fix it */
    void check();
  }

  /**
   * Runs an example from code.
   *
   * @param example the picocli command; its {@code call()} returns what it measured
   * @param args command-line arguments
   * @return what the example returned
   * @throws IllegalStateException if an option was rejected or the example failed (see the log)
   */
  static <R> R run(Callable<R> example, String... args) {
    CommandLine cli = command(example);
    int code = cli.execute(args);
    R result = cli.getExecutionResult();
    if (code != 0 || result == null) {
      throw new IllegalStateException("example failed (exit code " + code + "); see the log above");
    }
    return result;
  }

  /** Runs an example from {@code main}: exits with 0 on success, 2 for a bad option, 1 for a failure. */
  static void main(Callable<?> example, String... args) {
    System.exit(command(example).execute(args));
  }

  /**
   * The example's command line: every mixin's values are checked, then the output directory of its
   * {@link Training} options (if any) is claimed ({@link Training#claimOutput}) and held until the
   * example returns.
   */
  static CommandLine command(Callable<?> example) {
    CommandLine cli = new CommandLine(example);
    cli.setExecutionStrategy(parsed -> {
      Training training = null;
      for (CommandSpec mixin : parsed.commandSpec().mixins().values()) {
        if (mixin.userObject() instanceof Checked checked) {
          checked.check();
        }
        if (mixin.userObject() instanceof Training t) {
          training = t;
        }
      }
      if (training == null) {
        return new CommandLine.RunLast().execute(parsed);
      }
      try (DirectoryLock lock = training.claimOutput(parsed.hasMatchedOption("--out"))) {
        try {
          return new CommandLine.RunLast().execute(parsed);
        } catch (RuntimeException e) {
          Training.unclaimIfNothingWritten(lock.directory());
          throw e;
        }
      }
    });
    return cli;
  }

  /**
   * Rejects a bad option value with picocli's usage error: what was wrong, the value, what was
   * expected and how to fix it.
   */
  static void require(CommandSpec spec, boolean ok, String option, Object value, String expected, String fix) {
    if (!ok) {
      throw new ParameterException(
          spec.commandLine(), "Invalid value " + value + " for option " + option + ": expected " + expected + "; " + fix);
    }
  }

  /** A limit option: -1 (all) or at least 1; {@code example} goes into the message. */
  static void requireLimit(CommandSpec spec, String option, long value, long example) {
    require(spec, value == -1 || value >= 1, option, value, "-1 (all) or >= 1", "e.g. " + option + " " + example);
  }

  /**
   * Pretraining: epochs, batch size, Adam learning rate, seed and output directory. Each example
   * gives its own defaults (the initial values become picocli's defaults).
   */
  static final class Training implements Checked {
    @Option(names = "--epochs", description = "Pretraining epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", description = "Training examples per pretraining step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", description = "Adam learning rate of pretraining (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", description = "Seed for everything: initialisation, batches, masks or augmentation, labelled subsets (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", description = "Output directory (default ${DEFAULT-VALUE}; when it holds an earlier run, the first free one of ${DEFAULT-VALUE}-2, -3, ...). A directory given here that holds an earlier run is refused unless --overwrite.")
    Path out;

    @Option(names = "--max-minutes", description = "Stop pretraining after this many minutes of wall-clock time, at the end of a step, even if --epochs are not done (default: no limit).")
    Double maxMinutes;

    @Option(names = "--overwrite", description = "Replace the earlier run in --out: its checkpoints are deleted at the start, its other files as this run writes them (default: refuse).")
    boolean overwrite;

    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    /**
     * @param name the output directory's name under {@code target/examples}
     * @param epochs default of {@code --epochs}
     * @param batch default of {@code --batch}
     * @param lr default of {@code --lr}
     * @param seed default of {@code --seed}
     */
    /** The file in the output directory that records which example run claimed it. */
    static final String MARKER = "example-run.txt";

    Training(String name, int epochs, int batch, double lr, long seed) {
      this.out = Path.of("target", "examples", name);
      this.epochs = epochs;
      this.batch = batch;
      this.lr = lr;
      this.seed = seed;
    }

    /** Rejects a bad value of one of the example's own options, as the shared options are. */
    void require(boolean ok, String option, Object value, String expected, String fix) {
      ExampleOptions.require(spec, ok, option, value, expected, fix);
    }

    @Override
    public void check() {
      require(epochs >= 1, "--epochs", epochs, "an integer >= 1", "e.g. --epochs 3");
      require(batch >= 1, "--batch", batch, "an integer >= 1", "e.g. --batch 64");
      require(lr > 0 && Double.isFinite(lr), "--lr", lr, "a finite number > 0", "e.g. --lr 1e-3");
      require(maxMinutes == null || (maxMinutes > 0 && Double.isFinite(maxMinutes)), "--max-minutes", maxMinutes,
          "a finite number of minutes > 0", "e.g. --max-minutes 20, or leave it out for no limit");
    }

    /**
     * Claims the output directory for this run, before anything slow happens: locks it ({@link
     * DirectoryLock}, held until the returned lock is closed) and records the run in {@value
     * #MARKER}. A directory that holds an earlier run (that file, {@code results.json} or
     * checkpoints) is refused unless {@code --overwrite}; when {@code --out} was not given, the first
     * free one of {@code <default>}, {@code <default>-2}, {@code <default>-3}, ... is used instead, so
     * that re-running an example's command keeps the earlier run's files. {@link #out} is set to the
     * directory claimed.
     *
     * @param outGiven whether {@code --out} was given on the command line
     * @throws ParameterException if the directory holds an earlier run and {@code --overwrite} is not
     *     set, or another run is writing into it (the message names the directory and the fix)
     */
    DirectoryLock claimOutput(boolean outGiven) {
      if (outGiven && !overwrite) {
        refuseEarlierRun(out); // before locking, so that a refused run does not touch the directory
      }
      for (int n = 1; ; n++) {
        Path dir = n == 1 ? out : out.resolveSibling(out.getFileName() + "-" + n);
        DirectoryLock lock;
        try {
          lock = DirectoryLock.acquire(dir, "example " + spec.name());
        } catch (IllegalStateException inUse) {
          if (!outGiven) {
            continue;
          }
          throw new ParameterException(spec.commandLine(), "Output directory " + dir.toAbsolutePath()
              + " is being written by another run (" + inUse.getMessage() + "). Choose another --out,"
              + " or wait for that run to end", inUse);
        }
        try {
          if (!overwrite && !outGiven && earlierRun(lock.directory()) != null) {
            lock.close();
            continue;
          }
          if (!overwrite) {
            refuseEarlierRun(dir);
          }
          AtomicFiles.write(lock.directory().resolve(MARKER), (spec.name() + " " + String.join(" ",
              spec.commandLine().getParseResult().originalArgs()) + "\nprocess "
              + ProcessHandle.current().pid() + ", started " + Instant.now() + "\n").getBytes(UTF_8));
          out = dir;
          return lock;
        } catch (IOException e) {
          lock.close();
          throw new UncheckedIOException("Could not write " + dir.resolve(MARKER) + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
          lock.close();
          throw e;
        }
      }
    }

    private void refuseEarlierRun(Path dir) {
      String earlier;
      try {
        earlier = Files.isDirectory(dir) ? earlierRun(dir) : null;
      } catch (IOException e) {
        throw new UncheckedIOException("Could not list " + dir + ": " + e.getMessage(), e);
      }
      if (earlier != null) {
        throw new ParameterException(spec.commandLine(), "Output directory " + dir.toAbsolutePath()
            + " holds an earlier run (" + earlier + "); this run would replace its files. Choose"
            + " another --out, or add --overwrite to replace that run");
      }
    }

    /**
     * After a run that failed before writing anything (e.g. an option rejected once the data was
     * loaded): removes its {@value #MARKER}, so that the same {@code --out} can be used again.
     */
    static void unclaimIfNothingWritten(Path dir) {
      try (Stream<Path> files = Files.list(dir)) {
        boolean written = files.map(f -> f.getFileName().toString())
            .anyMatch(name -> !name.equals(MARKER) && !name.equals(DirectoryLock.FILE_NAME)
                && !(name.equals("checkpoints") && !hasCheckpoints(dir)));
        if (!written) {
          Files.deleteIfExists(dir.resolve(MARKER));
        }
      } catch (IOException | UncheckedIOException e) {
        // the marker stays: the next run on this directory needs --overwrite, as after any run
      }
    }

    private static boolean hasCheckpoints(Path dir) {
      Path checkpoints = dir.resolve("checkpoints");
      if (!Files.isDirectory(checkpoints)) {
        return false;
      }
      try (Stream<Path> files = Files.list(checkpoints)) {
        return files.anyMatch(f -> f.getFileName().toString().startsWith("checkpoint-"));
      } catch (IOException e) {
        throw new UncheckedIOException("Could not list " + checkpoints + ": " + e.getMessage(), e);
      }
    }

    /** What shows that {@code dir} holds an earlier run (the files found), or null if nothing does. */
    private static String earlierRun(Path dir) throws IOException {
      List<String> found = new ArrayList<>();
      for (String name : List.of(MARKER, "results.json")) {
        if (Files.exists(dir.resolve(name))) {
          found.add(name);
        }
      }
      if (hasCheckpoints(dir)) {
        found.add("checkpoints/");
      }
      return found.isEmpty() ? null : String.join(", ", found);
    }

    /**
     * The pretraining configuration of these options: Adam at {@code --lr}, a log line every 20
     * steps, checkpoints into {@code <out>/checkpoints}, replacing an earlier run's checkpoints there
     * only with {@code --overwrite} ({@link TrainingConfig.Builder#overwrite}).
     */
    TrainingConfig config() {
      return configBuilder().build();
    }

    /** {@link #config()} as a builder, for settings beyond these options. */
    TrainingConfig.Builder configBuilder() {
      TrainingConfig.Builder b = TrainingConfig.builder(batch).epochs(epochs).seed(seed).updater(new Adam(lr))
          .logEverySteps(20).checkpointDir(out.resolve("checkpoints")).overwrite(overwrite);
      if (maxMinutes != null) {
        b.maxTime(java.time.Duration.ofMillis(Math.round(maxMinutes * 60_000)));
      }
      return b;
    }
  }

  /** Fashion-MNIST: where it is and how many images to use. */
  static final class Images implements Checked {
    @Option(names = "--data", description = "Directory with the four Fashion-MNIST *-ubyte.gz files (default: /usr/share/datasets/fashion-mnist if installed, else the bundled sample).")
    Path data;

    @Option(names = "--train-limit", defaultValue = "-1", description = "Use at most this many training images (-1: all).")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "-1", description = "Use at most this many test images (-1: all).")
    int testLimit;

    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Override
    public void check() {
      requireLimit(spec, "--train-limit", trainLimit, 5120);
      requireLimit(spec, "--test-limit", testLimit, 2000);
    }

    /**
     * Loads the images ([n, 1, 28, 28] in [0, 1]) and says on stdout where they came from.
     *
     * @param batch the pretraining batch size ({@code --batch}), at most the training images
     */
    FashionMnist load(int batch) {
      FashionMnist fm = load(data, trainLimit, testLimit);
      require(spec, batch <= fm.train().size(), "--batch", batch,
          "at most the number of training images (" + fm.train().size() + ")", "lower --batch or raise --train-limit");
      return fm;
    }

    /** {@link FashionMnist#load}, saying on stdout where the images came from: a sample must not pass unseen. */
    static FashionMnist load(Path data, int trainLimit, int testLimit) {
      FashionMnist fm = FashionMnist.load(data, trainLimit, testLimit);
      System.out.println(fm.isSample()
          ? "Fashion-MNIST not found at " + FashionMnist.DEBIAN_DIR + ": using the " + fm.origin()
          : "Fashion-MNIST from " + fm.origin());
      return fm;
    }
  }

  /**
   * Token windows of the SpamAssassin mails for masked language modelling.
   *
   * @param origin where the mails came from
   * @param windows the corpus split 80/20 by mail, its vocabulary and windows
   * @param train the training windows used (a seeded subset of {@code --train-windows})
   * @param test the test windows used (a seeded subset of {@code --test-windows})
   */
  record SpamWindows(String origin, WindowedCorpus windows, ExampleSource train, ExampleSource test) {}

  /**
   * The SpamAssassin corpus: where it is, how many windows to use, and the few-label ham/spam
   * classifier trained on it.
   */
  static final class SpamAssassin implements Checked {
    @Option(names = "--data", description = "SpamAssassin data directory (package/data of the npm package; default: $SPAM_DIR, spam/package/data, else the bundled sample).")
    Path data;

    @Option(names = "--train-windows", defaultValue = "20000", description = "Pretrain on this many training windows, a seeded random subset (-1: all; default ${DEFAULT-VALUE}).")
    int trainWindows;

    @Option(names = "--test-windows", defaultValue = "-1", description = "Evaluate masked-token accuracy on at most this many test windows (-1: all).")
    int testWindows;

    @Option(names = "--label-fraction", defaultValue = "0.01", description = "Fraction of the training mails labelled for the spam classifier, per class (default ${DEFAULT-VALUE}).")
    double labelFraction;

    @Option(names = "--ft-epochs", defaultValue = "50", description = "Epochs of the few-label fine-tune and scratch runs (default ${DEFAULT-VALUE}).")
    int ftEpochs;

    @Option(names = "--tokenizer", defaultValue = "words", description = "words: lower-cased words and punctuation,"
        + " the 8,000 most frequent; wordpiece: a WordPiece vocabulary of --vocab-size tokens learnt from the training"
        + " mails (default ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(names = "--vocab-size", defaultValue = "8000", description = "WordPiece vocabulary size including the 5"
        + " special tokens, with --tokenizer wordpiece (default ${DEFAULT-VALUE}).")
    int vocabSize;

    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Override
    public void check() {
      require(spec, tokenizer.equals("words") || tokenizer.equals("wordpiece"), "--tokenizer", tokenizer,
          "words or wordpiece", "e.g. --tokenizer wordpiece --vocab-size 8000");
      require(spec, vocabSize > 5, "--vocab-size", vocabSize, "an integer > 5", "e.g. --vocab-size 8000");
      requireLimit(spec, "--train-windows", trainWindows, 20000);
      requireLimit(spec, "--test-windows", testWindows, 5000);
      require(spec, labelFraction > 0 && labelFraction <= 1, "--label-fraction", labelFraction, "a number in (0, 1]",
          "e.g. --label-fraction 0.01");
      require(spec, ftEpochs >= 1, "--ft-epochs", ftEpochs, "an integer >= 1", "e.g. --ft-epochs 50");
    }

    /**
     * Loads the mails, says on stdout where they came from, splits them 80/20 by mail with {@code
     * seed} and cuts the windows; the training subset is drawn with {@code seed}, the test subset
     * with {@code seed + 1}.
     *
     * @param batch the pretraining batch size ({@code --batch}), at most the training windows used
     */
    SpamWindows load(long seed, int batch) {
      SpamCorpus corpus = SpamCorpus.load(data);
      corpus.announce();
      WindowedCorpus.Builder builder = WindowedCorpus.builder().seed(seed);
      if (tokenizer.equals("wordpiece")) {
        WordPieceTrainer trainer = WordPieceTrainer.builder().vocabularySize(vocabSize).build();
        builder.vocabulary(trainer::train);
      }
      WindowedCorpus windows = builder.build(corpus.documents());
      ExampleSource train = subset(windows.trainWindows(), trainWindows, seed);
      require(spec, batch <= train.size(), "--batch", batch,
          "at most the number of training windows (" + train.size() + ")", "lower --batch");
      return new SpamWindows(corpus.origin(), windows, train, subset(windows.testWindows(), testWindows, seed + 1));
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
      int[] chosen = Arrays.copyOf(order, limit);
      Arrays.sort(chosen);
      int[][] rows = new int[limit][];
      for (int i = 0; i < limit; i++) {
        rows[i] = source.window(chosen[i]);
      }
      return TokenWindowSource.of(rows);
    }
  }

  /**
   * Moving Fashion-MNIST sequences (64x64 frames) for next-frame prediction, and the single images
   * the per-frame encoder is probed on.
   *
   * @param images the Fashion-MNIST images the sequences are made of
   * @param train training sequences of 11 frames, from the first training images
   * @param test held-out sequences of 11 frames, from the other training images
   * @param rollout held-out sequences of 20 frames: 10 of context, 10 to predict
   * @param probeTrain labelled training images for the probes ({@code --probe-train})
   */
  record Sequences(FashionMnist images, MovingFashionMnist train, MovingFashionMnist test, MovingFashionMnist rollout,
      LabelledData probeTrain) {}

  /**
   * Moving Fashion-MNIST: where the images are, how many sequences to use, and the probes of the
   * per-frame encoder on single images.
   */
  static final class MovingImages implements Checked {
    @Option(names = "--data", description = "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist if installed, else the bundled sample).")
    Path data;

    @Option(names = "--sequences", defaultValue = "2000", description = "Training sequences (default ${DEFAULT-VALUE}).")
    long sequences;

    @Option(names = "--test-sequences", defaultValue = "1000", description = "Held-out sequences for frame-11 metrics (default ${DEFAULT-VALUE}).")
    int testSequences;

    @Option(names = "--rollout-sequences", defaultValue = "200", description = "Held-out sequences of 20 frames for the 10-frame rollout (default ${DEFAULT-VALUE}).")
    int rolloutSequences;

    @Option(names = "--probe-train", defaultValue = "10000", description = "Fashion-MNIST training images for the representation probes, -1 for all (default ${DEFAULT-VALUE}).")
    int probeTrain;

    @Option(names = "--probe-test", defaultValue = "2000", description = "Fashion-MNIST test images for the probes, -1 for all (default ${DEFAULT-VALUE}).")
    int probeTest;

    @Option(names = "--ft-epochs", defaultValue = "20", description = "Epochs of the few-label fine-tune and scratch runs (default ${DEFAULT-VALUE}).")
    int ftEpochs;

    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Override
    public void check() {
      require(spec, testSequences >= 1, "--test-sequences", testSequences, "an integer >= 1", "e.g. --test-sequences 1000");
      require(spec, rolloutSequences >= 1, "--rollout-sequences", rolloutSequences, "an integer >= 1",
          "e.g. --rollout-sequences 200");
      require(spec, probeTrain == -1 || probeTrain >= 600, "--probe-train", probeTrain, "-1 (all) or >= 600",
          "e.g. --probe-train 10000");
      requireLimit(spec, "--probe-test", probeTest, 2000);
      require(spec, ftEpochs >= 1, "--ft-epochs", ftEpochs, "an integer >= 1", "e.g. --ft-epochs 20");
    }

    /**
     * Loads the images and makes the sequences: training sequences from the first 50,000 training
     * images (5/6 of a smaller set) with {@code seed}, held-out ones from the rest with {@code seed +
     * 1} and {@code seed + 2}.
     *
     * @param batch the pretraining batch size ({@code --batch}), at most {@code --sequences}
     */
    Sequences load(long seed, int batch) {
      require(spec, sequences >= batch, "--sequences", sequences, "at least --batch (" + batch + ")",
          "e.g. --sequences 2000");
      FashionMnist fm = Images.load(data, -1, probeTest);
      INDArray images = fm.train().features();
      long n = images.size(0);
      long split = n >= 60_000 ? 50_000 : n * 5 / 6;
      INDArray trainPool = images.get(NDArrayIndex.interval(0, split));
      INDArray heldPool = images.get(NDArrayIndex.interval(split, n));
      LabelledData probe = probeTrain < 0 || probeTrain >= fm.train().size() ? fm.train()
          : fm.train().subset(IntStream.range(0, probeTrain).toArray());
      return new Sequences(fm,
          MovingFashionMnist.builder(trainPool).seed(seed).sequences(sequences).build(),
          MovingFashionMnist.builder(heldPool).seed(seed + 1).sequences(testSequences).build(),
          MovingFashionMnist.builder(heldPool).seed(seed + 2).frames(20).sequences(rolloutSequences).build(),
          probe);
    }

    /** The probes' settings: 60 labels per class, one repeat of the fine-tune, no head warm-up. */
    EncoderEvaluation.Settings settings(long seed) {
      return new EncoderEvaluation.Settings(60, EncoderEvaluation.PROBE_MAX_ITERATIONS, ftEpochs, 1, 0, seed);
    }
  }

  /** The few-label evaluation of an image encoder ({@link EncoderEvaluation}). */
  static final class FewLabels implements Checked {
    @Option(names = "--ft-epochs", defaultValue = "50", description = "Epochs of the few-label fine-tune and from-scratch runs (default ${DEFAULT-VALUE}).")
    int ftEpochs;

    @Option(names = "--ft-repeats", defaultValue = "3", description = "Repeats of the few-label fine-tune and from-scratch runs, repeat r with seed + r for the labelled subset and the initialisation; the figures are means (default ${DEFAULT-VALUE}).")
    int ftRepeats;

    @Option(names = "--head-warmup-epochs", defaultValue = "" + EncoderEvaluation.HEAD_WARMUP_EPOCHS, description = "Before fine-tuning, fit the new head alone on the frozen representation for this many epochs (LP-FT; 0: fine-tune from a random head). The from-scratch network never gets a warm-up (default ${DEFAULT-VALUE}).")
    int headWarmupEpochs;

    @Option(names = "--labels-per-class", defaultValue = "60", description = "Labelled training images per class for the few-label evaluations (default ${DEFAULT-VALUE}).")
    int labelsPerClass;

    @Option(names = "--probe-iterations", defaultValue = "" + EncoderEvaluation.PROBE_MAX_ITERATIONS, description = "L-BFGS iteration budget of each linear probe (full batch, L2 " + EncoderEvaluation.PROBE_L2 + " as (l2/2)|W|^2; default ${DEFAULT-VALUE}).")
    int probeIterations;

    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Override
    public void check() {
      require(spec, ftEpochs >= 1, "--ft-epochs", ftEpochs, "an integer >= 1", "e.g. --ft-epochs 50");
      require(spec, ftRepeats >= 1, "--ft-repeats", ftRepeats, "an integer >= 1", "e.g. --ft-repeats 3");
      require(spec, headWarmupEpochs >= 0, "--head-warmup-epochs", headWarmupEpochs, "an integer >= 0",
          "e.g. --head-warmup-epochs 100, or 0 for no warm-up");
      require(spec, labelsPerClass >= 1, "--labels-per-class", labelsPerClass, "an integer >= 1",
          "e.g. --labels-per-class 60 (600 labels)");
      require(spec, probeIterations >= 1, "--probe-iterations", probeIterations, "an integer >= 1",
          "e.g. --probe-iterations 300");
    }

    /**
     * The evaluation settings of these options, after checking that {@code --labels-per-class}
     * fits the smallest class of {@code train}.
     */
    EncoderEvaluation.Settings settings(LabelledData train, long seed) {
      int[] counts = new int[train.numClasses()];
      for (int label : train.labels()) {
        counts[label]++;
      }
      int min = Arrays.stream(counts).min().orElse(0);
      require(spec, labelsPerClass <= min, "--labels-per-class", labelsPerClass,
          "at most " + min + " (the smallest class among the " + train.size() + " training images)",
          "lower --labels-per-class or raise --train-limit");
      return new EncoderEvaluation.Settings(labelsPerClass, probeIterations, ftEpochs, ftRepeats, headWarmupEpochs, seed);
    }
  }
}
