package io.github.ssl4j.bench;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.data.ArraySource;
import io.github.ssl4j.core.data.ExampleSource;
import io.github.ssl4j.core.encoders.ConvEncoder;
import io.github.ssl4j.core.encoders.TransformerEncoder;
import io.github.ssl4j.core.text.Document;
import io.github.ssl4j.core.text.TokenWindows;
import io.github.ssl4j.core.text.WindowedCorpus;
import io.github.ssl4j.core.train.TrainingConfig;
import io.github.ssl4j.examples.FashionMnist;
import io.github.ssl4j.examples.SpamCorpus;
import io.github.ssl4j.tasks.contrastive.ContrastiveTask;
import io.github.ssl4j.tasks.contrastive.augment.ColorJitter;
import io.github.ssl4j.tasks.contrastive.augment.Compose;
import io.github.ssl4j.tasks.contrastive.augment.GaussianNoise;
import io.github.ssl4j.tasks.contrastive.augment.HorizontalFlip;
import io.github.ssl4j.tasks.contrastive.augment.MultiViewTransform;
import io.github.ssl4j.tasks.contrastive.augment.RandomResizedCrop;
import io.github.ssl4j.tasks.masked.MaskedImageTask;
import io.github.ssl4j.tasks.masked.MaskedLanguageTask;
import io.github.ssl4j.tasks.nextframe.FrameEncoder;
import io.github.ssl4j.tasks.nextframe.MovingFashionMnist;
import io.github.ssl4j.tasks.nextframe.NextFrameTask;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The four reference workloads, each mapped onto ssl4j's public presets with the settings of the
 * PyTorch reference implementation, so that throughput and results compare one to one:
 *
 * <ul>
 *   <li>W1, SimCLR on Fashion-MNIST: {@link ContrastiveTask#simclr()} + {@code
 *       ConvEncoder.small(28, 28, 1)}, batch 256, Adam 1e-3.
 *   <li>W2, masked image modelling on Fashion-MNIST: {@link MaskedImageTask#inpainting()} + {@code
 *       MaskedImageTask.smallCnnEncoder(28, 28, 1)}, batch 256, Adam 1e-3.
 *   <li>W3, masked language modelling on SpamAssassin: {@link MaskedLanguageTask#bert} + {@code
 *       TransformerEncoder.tiny(vocab, 64)} on the windows of {@link #w3Corpus}, batch 64, AdamW
 *       5e-4 with weight decay 0.01.
 *   <li>W4, next-frame prediction on Moving Fashion-MNIST: {@link NextFrameTask#lstm()} + {@code
 *       FrameEncoder.small(64, 64, 1)}, 10,000 sequences from training images 0..49,999, batch 16,
 *       Adam 1e-3.
 * </ul>
 */
public final class Workloads {
  /** W1's batch size (images; the task makes two views of each). */
  public static final int W1_BATCH = 256;
  /** Adam learning rate of W1, W2 and W4. */
  public static final double LEARNING_RATE = 1e-3;
  /** AdamW learning rate of W3. */
  public static final double W3_LEARNING_RATE = 5e-4;
  /** AdamW weight decay of W3. */
  public static final double W3_WEIGHT_DECAY = 0.01;

  private Workloads() {}

  /**
   * One workload: what it trains, on what, and how.
   *
   * @param name W1 .. W4
   * @param unit what the throughput counts, e.g. {@code images/s}
   * @param task the pretext task
   * @param encoder the encoder
   * @param data the training examples
   * @param batch examples per step
   * @param learningRate Adam(W) learning rate
   * @param weightDecay decoupled weight decay (0: plain Adam)
   * @param dataOrigin where the data came from, for the report
   */
  public record Workload(String name, String unit, PretextTask task, Encoder encoder, ExampleSource data,
      int batch, double learningRate, double weightDecay, String dataOrigin) {

    /** The training configuration of this workload: batch, seed, updater and weight decay. */
    public TrainingConfig.Builder config(long seed) {
      return TrainingConfig.builder(batch)
          .seed(seed)
          .updater(new Adam(learningRate))
          .weightDecay(weightDecay);
    }
  }

  /**
   * Workload {@code name} (W1 .. W4, any case).
   *
   * @param data Fashion-MNIST directory for W1, W2, W4, the SpamAssassin data directory for W3;
   *     null for the default locations (else the bundled samples)
   * @param seed seed of W3's split and W4's sequence generator
   * @throws IllegalArgumentException for an unknown name
   */
  public static Workload of(String name, Path data, long seed) {
    switch (name.toUpperCase(Locale.ROOT)) {
      case "W1": {
        FashionMnist fm = FashionMnist.load(data, -1, 1, true);
        return new Workload("W1", "images/s", w1Task(), w1Encoder(),
            ArraySource.eightBit(fm.train().features()), W1_BATCH, LEARNING_RATE, 0, fm.origin());
      }
      case "W2": {
        FashionMnist fm = FashionMnist.load(data, -1, 1, true);
        return new Workload("W2", "images/s", MaskedImageTask.inpainting(),
            MaskedImageTask.smallCnnEncoder(28, 28, 1), ArraySource.eightBit(fm.train().features()), 256,
            LEARNING_RATE, 0, fm.origin());
      }
      case "W3": {
        // all training windows of the 80 % split, 64 tokens, batch 64
        SpamCorpus corpus = SpamCorpus.load(data);
        corpus.announce();
        WindowedCorpus windows = w3Corpus(corpus.documents(), seed);
        int vocab = windows.vocabulary().size();
        return new Workload("W3", "sequences/s", MaskedLanguageTask.bert(vocab),
            TransformerEncoder.tiny(vocab, TokenWindows.DEFAULT_LENGTH), windows.trainWindows(), 64,
            W3_LEARNING_RATE, W3_WEIGHT_DECAY, corpus.origin());
      }
      case "W4": {
        // training sequences from train images 0..49999, batch 16, fresh sequences
        FashionMnist fm = FashionMnist.load(data, -1, 1, true);
        INDArray images = fm.train().features(); // 8-bit pixels
        long pool = Math.min(50_000, images.size(0));
        INDArray trainPool = images.get(NDArrayIndex.interval(0, pool));
        return new Workload("W4", "sequences/s", NextFrameTask.lstm(), FrameEncoder.small(64, 64, 1),
            MovingFashionMnist.builder(trainPool).seed(seed).sequences(10_000).build(), 16,
            LEARNING_RATE, 0, fm.origin());
      }
      default:
        throw new IllegalArgumentException(
            "Unknown workload '" + name + "'; available: W1, W2, W3, W4");
    }
  }

  /** W1's task: {@link ContrastiveTask#simclr()}. */
  public static ContrastiveTask w1Task() {
    return ContrastiveTask.simclr();
  }

  /** W1's encoder: {@code ConvEncoder.small(28, 28, 1)}. */
  public static ConvEncoder w1Encoder() {
    return ConvEncoder.small(28, 28, 1);
  }

  /**
   * W1's augmentation with the reference implementation's view sampling: the crop box of
   * continuous size at a sub-pixel offset ({@link RandomResizedCrop.Placement#SUB_PIXEL}), and
   * brightness always before contrast; otherwise the parameters of {@link Compose#simclr()}.
   */
  public static Compose w1SubPixelViews() {
    return Compose.of(
        new RandomResizedCrop(0.5, 1.0, 3.0 / 4.0, 4.0 / 3.0, RandomResizedCrop.Placement.SUB_PIXEL),
        HorizontalFlip.simclr(),
        new ColorJitter(0.4, 0.4, 0.8, false),
        new GaussianNoise(0.05));
  }

  /** W1's task on {@link #w1SubPixelViews()}: two such views per image, otherwise {@link #w1Task()}. */
  public static ContrastiveTask w1SubPixelTask() {
    return ContrastiveTask.builder().views(MultiViewTransform.of(w1SubPixelViews(), 2)).build();
  }

  /**
   * W3's corpus, exactly as the reference implementation prepares it: an 80 / 20 split by NumPy's
   * {@code default_rng(seed).permutation} ({@link NumpyPermutation}), an 8,000-token vocabulary with
   * {@code Counter.most_common}'s tie-break, windows of 64 = [CLS] + 63 tokens. With {@code
   * SpamAssassinReader}'s sorted file order both sides train on the same token-id windows.
   */
  public static WindowedCorpus w3Corpus(List<Document> documents, long seed) {
    return WindowedCorpus.builder().seed(seed).permutation(NumpyPermutation::permutation).build(documents);
  }
}
