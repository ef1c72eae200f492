package io.github.ssl4j.tasks.masked;

import io.github.ssl4j.core.Encoder;
import io.github.ssl4j.core.InputMasks;
import io.github.ssl4j.core.PretextTask;
import io.github.ssl4j.core.TokenSequenceEncoder;
import io.github.ssl4j.core.VertexNames;
import io.github.ssl4j.core.layers.MaskedSoftmaxOutputLayer;
import io.github.ssl4j.core.text.Vocabulary;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Masked language modelling (BERT, Devlin et al. 2019): a {@link MlmMasker} corrupts 15 % of the regular
 * tokens of each window, the encoder reads the corrupted window, and an MLM head predicts the
 * original token; the loss (softmax cross-entropy) counts only the selected positions (DL4J
 * labels mask), and in training the head computes its logits only there ({@link
 * MaskedSoftmaxOutputLayer}). The head is a dense {@code width → vocabSize} layer <b>untied</b>
 * from the token embedding (DL4J's embedding
 * layer cannot share its weight matrix with an output layer).
 *
 * <p>Batches: token ids {@code [batch, length]} (e.g. from a {@link
 * io.github.ssl4j.core.text.TokenWindowSource}). {@link #prepare} returns the corrupted ids with
 * the padding mask ({@code ids != [PAD]}) as features, the original ids {@code [batch, 1, length]}
 * as sparse labels, and the selected positions {@code [batch, length]} as the labels mask. The
 * reported loss is DL4J's: the summed cross-entropy of the selected tokens divided by the number
 * of windows (PyTorch's {@code ignore_index} mean divides by the number of selected tokens instead;
 * with Adam the two train alike).
 *
 * <pre>{@code
 * WindowedCorpus corpus = WindowedCorpus.builder().build(documents);
 * int vocab = corpus.vocabulary().size();
 * MaskedLanguageTask task = MaskedLanguageTask.bert(vocab);
 * TransformerEncoder encoder = TransformerEncoder.tiny(vocab, TokenWindows.DEFAULT_LENGTH);
 * TrainingConfig config = TrainingConfig.builder(64).updater(new Adam(5e-4)).weightDecay(0.01).build();
 * TrainingResult r = new Trainer(config).fit(task, encoder, corpus.trainWindows());
 * }</pre>
 */
public final class MaskedLanguageTask implements PretextTask {
  /** Stable task id. */
  public static final String ID = "masked-language";
  /** The MLM head and loss layer. */
  public static final String HEAD_VERTEX = VertexNames.loss("mlm");

  private final MlmMasker masker;

  private MaskedLanguageTask(MlmMasker masker) {
    this.masker = masker;
  }

  /**
   * @param masker the masking scheme; its vocabulary size is the head's output size
   */
  public static MaskedLanguageTask of(MlmMasker masker) {
    return new MaskedLanguageTask(Objects.requireNonNull(masker, "masker"));
  }

  /** BERT masking ({@link MlmMasker#bert}: 15 %; 80 / 10 / 10) over a vocabulary of {@code vocabSize} ids. */
  public static MaskedLanguageTask bert(int vocabSize) {
    return of(MlmMasker.bert(vocabSize));
  }

  /** The masker. */
  public MlmMasker masker() {
    return masker;
  }

  /** Number of token ids the head predicts. */
  public int vocabSize() {
    return masker.vocabSize();
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void buildGraph(ComputationGraphConfiguration.GraphBuilder graph, Encoder encoder) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(encoder, "encoder");
    OptionalInt pad = TokenSequenceEncoder.paddingIdOf(encoder);
    if (!(encoder.inputType() instanceof InputType.InputTypeFeedForward)
        || pad.isEmpty() || pad.getAsInt() != Vocabulary.PAD) {
      throw new IllegalArgumentException("MaskedLanguageTask needs an encoder of token ids [batch, length]"
          + " padded with [PAD] = " + Vocabulary.PAD + ", got input " + encoder.inputType()
          + " and padding id " + pad + " from " + encoder.describe()
          + "; use TransformerEncoder.builder(vocabulary.size(), length)");
    }
    if (!(encoder.outputType() instanceof InputType.InputTypeRecurrent out)) {
      throw new IllegalArgumentException("MaskedLanguageTask needs an encoder with one output vector per"
          + " token (recurrent output [batch, width, length]), got " + encoder.outputType() + " from "
          + encoder.describe() + "; use TransformerEncoder");
    }
    graph.addInputs(VertexNames.INPUT).setInputTypes(encoder.inputType());
    String encoded = encoder.addTo(graph, VertexNames.INPUT);
    // logits only at the selected positions in training; same loss and gradients as RnnOutputLayer
    graph.addLayer(HEAD_VERTEX, new MaskedSoftmaxOutputLayer(Math.toIntExact(out.getSize()), vocabSize()), encoded);
    graph.setOutputs(HEAD_VERTEX);
  }

  @Override
  public MultiDataSet prepare(INDArray examples, RandomGenerator rng) {
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(rng, "rng");
    if (examples.rank() != 2) {
      throw new IllegalArgumentException("MaskedLanguageTask expects token ids of shape [batch, length],"
          + " got shape " + Arrays.toString(examples.shape())
          + "; use a TokenWindowSource (e.g. WindowedCorpus.trainWindows())");
    }
    MaskedTokens m = masker.mask(examples, rng);
    INDArray paddingMask = InputMasks.paddingMask(examples, OptionalInt.of(Vocabulary.PAD));
    INDArray labels = m.labels().reshape(examples.size(0), 1, examples.size(1));
    return new org.nd4j.linalg.dataset.MultiDataSet(
        new INDArray[] {m.inputs()}, new INDArray[] {labels},
        new INDArray[] {paddingMask}, new INDArray[] {m.labelMask().castTo(paddingMask.dataType())});
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>(masker.config());
    m.put("head", "untied dense width->vocab, softmax cross-entropy on masked positions");
    return m;
  }

  @Override
  public String toString() {
    return "MaskedLanguageTask[" + masker + "]";
  }
}
