package io.github.ssl4j.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ssl4j.core.io.AtomicFiles;
import io.github.ssl4j.core.text.Vocabulary;
import io.github.ssl4j.core.train.Seeds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A trained encoder cut out of a pretraining graph: an encoder-only {@link ComputationGraph} whose
 * single input is {@link VertexNames#INPUT} and whose single output is the representation vertex,
 * plus the {@link ModelMetadata} of the run that trained it.
 *
 * <pre>{@code
 * PretrainedEncoder enc = PretrainedEncoder.from(trainedGraph, ConvEncoder.small(28, 28, 1), metadata);
 * INDArray z = enc.embed(images);          // [batch, 1, 28, 28] -> [batch, 128]
 * enc.save(Path.of("encoder.zip"));     // plain DL4J can restore it too
 * PretrainedEncoder again = PretrainedEncoder.load(Path.of("encoder.zip"));
 * }</pre>
 *
 * <p>Ownership: this object owns its graph. {@link #graph()} returns it for read-only use
 * (inspection, {@code output}); fine-tuning builds its own copy (see {@code FineTuneAdapter}) and
 * never modifies it. {@link #embed} is not safe for concurrent calls (DL4J graphs are not).
 *
 * <p>File format ({@link #save}): a zip holding the entries written by DL4J's {@link
 * ModelSerializer} (so {@code ModelSerializer.restoreComputationGraph(file)} still works) plus
 * {@value #METADATA_ENTRY} (the metadata as JSON) and {@value #INPUT_TYPE_ENTRY} (the DL4J input
 * type as JSON).
 */
public final class PretrainedEncoder {
  /** Zip entry holding the {@link ModelMetadata} as JSON. */
  public static final String METADATA_ENTRY = "ssl4j/metadata.json";
  /** Zip entry holding the encoder's DL4J {@link InputType} as JSON. */
  public static final String INPUT_TYPE_ENTRY = "ssl4j/input-type.json";
  /** Zip entry holding {@code {"paddingId": id}} for encoders of padded token ids. */
  public static final String PADDING_ENTRY = "ssl4j/input-padding.json";
  /** Zip entry holding the {@link Vocabulary} of a text encoder, when one was attached. */
  public static final String VOCABULARY_ENTRY = "ssl4j/vocabulary.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ComputationGraph graph;
  private final ModelMetadata metadata;
  private final InputType inputType;
  private final String representationVertex;
  private final OptionalInt paddingId;
  private final Vocabulary vocabulary;

  private PretrainedEncoder(ComputationGraph graph, ModelMetadata metadata, InputType inputType,
      String representation, OptionalInt paddingId, Vocabulary vocabulary) {
    this.graph = graph;
    io.github.ssl4j.core.dl4j.LayerHelpers.install(graph);
    this.metadata = metadata;
    this.inputType = inputType;
    this.representationVertex = representation;
    this.paddingId = paddingId;
    this.vocabulary = vocabulary;
  }

  /**
   * This encoder with a vocabulary attached: {@link #save} stores it in the same file, so a loaded
   * text encoder tokenises exactly as in training ({@link #vocabulary()}).
   *
   * @param vocabulary the vocabulary the encoder's token ids come from (the one used in
   *     pretraining; not checked against the embedding)
   */
  public PretrainedEncoder withVocabulary(Vocabulary vocabulary) {
    Objects.requireNonNull(vocabulary, "vocabulary");
    return new PretrainedEncoder(graph, metadata, inputType, representationVertex, paddingId, vocabulary);
  }

  /** The attached vocabulary (see {@link #withVocabulary}), if any. */
  public Optional<Vocabulary> vocabulary() {
    return Optional.ofNullable(vocabulary);
  }

  /** The padding id of a token-id encoder ({@link TokenSequenceEncoder#paddingId()}), else empty. */
  public OptionalInt paddingId() {
    return paddingId;
  }

  /**
   * The DL4J features mask for a batch of inputs ({@link TokenSequenceEncoder#inputMask}): null for encoders
   * without padding.
   */
  public INDArray inputMask(INDArray input) {
    return InputMasks.paddingMask(input, paddingId);
  }

  /**
   * {@link #inputMask} as the features-mask argument of DL4J's {@code ComputationGraph.output}:
   * null (no masks) for encoders without padding. DL4J sets and clears the masks around the call.
   */
  public INDArray[] maskArrays(INDArray input) {
    INDArray mask = inputMask(input);
    return mask == null ? null : new INDArray[] {mask};
  }

  /**
   * Cuts the encoder out of a trained pretraining graph: builds a fresh encoder-only graph (same
   * data type as {@code trained}) and copies every encoder layer's parameters by vertex name,
   * BatchNorm running statistics included. {@code trained} is not modified and shares no arrays
   * with the result.
   *
   * @param trained the pretraining graph holding vertices named by {@code encoder}
   * @param encoder the encoder that was used to build {@code trained}
   * @param metadata what to store with the encoder
   * @throws IllegalArgumentException if an encoder vertex is missing from {@code trained} or its
   *     parameters have other shapes (the message names the vertex), or if the encoder's declared
   *     representation size, input type or block names disagree with the graph it builds
   */
  public static PretrainedEncoder from(ComputationGraph trained, Encoder encoder, ModelMetadata metadata) {
    Objects.requireNonNull(trained, "trained");
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(metadata, "metadata");
    if (metadata.representationSize() != encoder.representationSize()
        || !metadata.encoderBlocks().equals(encoder.blockOutputs())) {
      throw new IllegalArgumentException(
          "Metadata does not describe encoder " + encoder.describe() + ": representationSize "
              + metadata.representationSize() + " vs " + encoder.representationSize()
              + ", encoderBlocks " + metadata.encoderBlocks() + " vs " + encoder.blockOutputs()
              + ". Fill the metadata from the same encoder (encoder.representationSize(),"
              + " encoder.blockOutputs())");
    }
    DataType dataType = trained.getConfiguration().getDataType();
    ComputationGraphConfiguration.GraphBuilder g =
        new NeuralNetConfiguration.Builder()
            .seed(trained.getConfiguration().getDefaultConfiguration().getSeed())
            .dataType(dataType)
            .graphBuilder()
            .addInputs(VertexNames.INPUT)
            .setInputTypes(encoder.inputType());
    String out = encoder.addTo(g, VertexNames.INPUT);
    String rep = Representations.addTo(g, out, encoder.outputType());
    g.setOutputs(rep);
    ComputationGraph cut = new ComputationGraph(g.build());
    cut.init();
    for (GraphVertex v : cut.getVertices()) {
      if (!v.hasLayer() || v.getLayer().numParams() == 0) {
        continue;
      }
      String name = v.getVertexName();
      GraphVertex sourceVertex = trained.getVertex(name);
      Layer source = sourceVertex != null && sourceVertex.hasLayer() ? sourceVertex.getLayer() : null;
      if (source == null) {
        throw new IllegalArgumentException(
            "The trained graph has no layer vertex '" + name + "' required by encoder "
                + encoder.describe() + "; its vertices are "
                + trained.getConfiguration().getVertices().keySet()
                + ". Pass the same encoder (same configuration) that built the pretraining graph");
      }
      Map<String, INDArray> target = v.getLayer().paramTable();
      Map<String, INDArray> src = source.paramTable();
      if (!target.keySet().equals(src.keySet())) {
        throw new IllegalArgumentException(
            "Encoder vertex '" + name + "' has parameters " + src.keySet()
                + " in the trained graph but the encoder " + encoder.describe() + " expects "
                + target.keySet() + ". Pass the encoder that built the pretraining graph");
      }
      for (Map.Entry<String, INDArray> p : target.entrySet()) {
        INDArray s = src.get(p.getKey());
        if (!Arrays.equals(s.shape(), p.getValue().shape())) {
          throw new IllegalArgumentException(
              "Encoder vertex '" + name + "' parameter '" + p.getKey() + "' has shape "
                  + Arrays.toString(s.shape()) + " in the trained graph but the encoder "
                  + encoder.describe() + " expects " + Arrays.toString(p.getValue().shape())
                  + ". Pass the encoder (same widths and input shape) that built the pretraining graph");
        }
        p.getValue().assign(s);
      }
    }
    OptionalInt padding = TokenSequenceEncoder.paddingIdOf(encoder);
    EncoderGraphCheck.representationVertex("Encoder " + encoder.describe(),
        "Its representationSize(), inputType() and blockOutputs() must describe the graph its addTo() builds",
        cut, metadata, encoder.inputType(), padding, null);
    return new PretrainedEncoder(cut, metadata, encoder.inputType(), rep, padding, null);
  }

  /**
   * Representations of a batch of inputs, computed in inference mode (BatchNorm uses its running
   * statistics, no dropout).
   *
   * @param input shape [batch, size] for a feed-forward encoder, [batch, channels, height, width]
   *     for a convolutional one, [batch, size, time] for a recurrent one
   * @return shape [batch, representationSize], a new array
   * @throws IllegalArgumentException if the input's rank or shape does not match {@link
   *     #inputType()}, or it holds NaN or infinity (the message names the row)
   */
  public INDArray embed(INDArray input) {
    checkInput(input);
    InputShapes.checkFinite(input, "The input of embed");
    DataType dt = graph.getConfiguration().getDataType();
    INDArray x = input.dataType() == dt ? input : input.castTo(dt);
    INDArray z = graph.output(false, new INDArray[] {x}, maskArrays(x))[0].detach();
    if (z.rank() != 2 || z.size(0) != x.size(0)) {
      throw new IllegalStateException("Encoder output has shape " + Arrays.toString(z.shape())
          + ", expected [" + x.size(0) + ", representationSize]; vertex '" + representationVertex
          + "' is not a representation vertex");
    }
    return z;
  }

  /**
   * Representations of any number of inputs, computed {@code batchSize} at a time so memory stays
   * bounded (a whole data set through a CNN in one call would hold every activation at once).
   *
   * @param input shape [n, ...] as for {@link #embed(INDArray)}
   * @param batchSize inputs per forward pass, &gt;= 1
   * @return shape [n, representationSize], a new array
   * @throws IllegalArgumentException if {@code batchSize < 1}, the input does not match {@link
   *     #inputType()} or holds NaN or infinity (the message names the row)
   */
  public INDArray embed(INDArray input, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "batchSize must be >= 1, got " + batchSize + "; e.g. 1000 for 28x28 images");
    }
    checkInput(input);
    InputShapes.checkFinite(input, "The input of embed");
    long n = input.size(0);
    INDArray out = null;
    for (long from = 0; from < n; from += batchSize) {
      long to = Math.min(n, from + batchSize);
      INDArray z = embed(input.get(NDArrayIndex.interval(from, to)));
      if (out == null) {
        // sized from what the graph produced, never from the metadata
        out = Nd4j.create(z.dataType(), n, z.size(1));
      }
      INDArray rows = out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
      if (!Arrays.equals(rows.shape(), z.shape())) {
        throw new IllegalStateException("Encoder output for inputs " + from + ".." + to + " has shape "
            + Arrays.toString(z.shape()) + ", expected " + Arrays.toString(rows.shape())
            + " like the first batch; the graph's output width changed between batches");
      }
      rows.assign(z);
    }
    return out != null ? out : Nd4j.create(graph.getConfiguration().getDataType(), 0, representationSize());
  }

  /**
   * Checks that {@code input} fits {@link #inputType()}.
   *
   * @param input shape [batch, ...]
   * @throws IllegalArgumentException naming the input vertex, the shape received and the expected
   *     one
   */
  public void checkInput(INDArray input) {
    InputShapes.check(inputType, input, VertexNames.INPUT);
  }

  /** The encoder-only graph (owned by this object; do not fit or modify it). */
  public ComputationGraph graph() {
    return graph;
  }

  /** What the run that trained this encoder recorded. */
  public ModelMetadata metadata() {
    return metadata;
  }

  /** Name of the vertex whose activations are the representation, shape [batch, size]. */
  public String representationVertex() {
    return representationVertex;
  }

  /** The input the encoder accepts (graph input {@link VertexNames#INPUT}). */
  public InputType inputType() {
    return inputType;
  }

  /** Length of the representation vector (from the metadata, checked against the graph). */
  public int representationSize() {
    return metadata.representationSize();
  }

  /** Encoder block output vertices, input to output (from the metadata). */
  public List<String> blockOutputs() {
    return metadata.encoderBlocks();
  }

  /**
   * The same architecture, newly initialised from {@code seed}: the "from scratch" baseline.
   *
   * @return an initialised graph that shares nothing with this encoder's graph
   */
  public ComputationGraph freshCopy(long seed) {
    ComputationGraphConfiguration conf = graph.getConfiguration().clone();
    long nd4jSeed = Seeds.forNd4j(seed); // 0 would mean "from the clock"
    conf.getDefaultConfiguration().setSeed(nd4jSeed);
    for (org.deeplearning4j.nn.conf.graph.GraphVertex v : conf.getVertices().values()) {
      if (v instanceof LayerVertex lv) {
        lv.getLayerConf().setSeed(nd4jSeed);
      }
    }
    ComputationGraph fresh = new ComputationGraph(conf);
    fresh.init();
    io.github.ssl4j.core.dl4j.LayerHelpers.install(fresh);
    return fresh;
  }

  /**
   * Writes this encoder to one zip file: DL4J's model entries (no updater state) plus the
   * metadata. The file is written next to {@code path} under a temporary name and renamed into
   * place, so an existing file survives a crash.
   *
   * @throws UncheckedIOException if writing fails (the message names the path)
   */
  public void save(Path path) {
    Objects.requireNonNull(path, "path");
    Path target = path.toAbsolutePath();
    try {
      ByteArrayOutputStream model = new ByteArrayOutputStream();
      ModelSerializer.writeModel(graph, model, false);
      AtomicFiles.write(target, os -> {
        ZipOutputStream zip = new ZipOutputStream(os);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(model.toByteArray()))) {
          for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
            zip.putNextEntry(new ZipEntry(e.getName()));
            in.transferTo(zip);
            zip.closeEntry();
          }
        }
        zip.putNextEntry(new ZipEntry(METADATA_ENTRY));
        zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(metadata));
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry(INPUT_TYPE_ENTRY));
        zip.write(NeuralNetConfiguration.mapper().writeValueAsBytes(inputType));
        zip.closeEntry();
        if (paddingId.isPresent()) {
          zip.putNextEntry(new ZipEntry(PADDING_ENTRY));
          zip.write(JSON.writeValueAsBytes(Map.of("paddingId", paddingId.getAsInt())));
          zip.closeEntry();
        }
        if (vocabulary != null) {
          zip.putNextEntry(new ZipEntry(VOCABULARY_ENTRY));
          zip.write(vocabulary.toJson().getBytes(StandardCharsets.UTF_8));
          zip.closeEntry();
        }
        zip.finish();
      });
    } catch (IOException e) {
      throw new UncheckedIOException("Could not save the pretrained encoder to " + target
          + ": " + e.getMessage() + "; check that the directory exists and is writable", e);
    }
  }

  /**
   * Reads a file written by {@link #save}.
   *
   * @throws UncheckedIOException if the file is missing or cannot be read
   * @throws IllegalArgumentException if the file is not a zip, is truncated, or has no ssl4j
   *     metadata (e.g. a plain DL4J model); or if a metadata field that the graph also determines
   *     disagrees with the graph: the input type, the representation size, the encoder block vertex
   *     names, the padding id or vocabulary size against the token embedding, or a missing version
   *     or description. The message names the path, the field, the recorded and the expected value
   */
  public static PretrainedEncoder load(Path path) {
    Objects.requireNonNull(path, "path");
    if (!Files.isRegularFile(path)) {
      throw new UncheckedIOException(new NoSuchFileException(path.toAbsolutePath().toString(), null,
          "no pretrained encoder file here; check the path (save it with PretrainedEncoder.save)"));
    }
    ModelMetadata metadata;
    InputType inputType;
    OptionalInt paddingId = OptionalInt.empty();
    Vocabulary vocabulary = null;
    try (ZipFile zip = new ZipFile(path.toFile())) {
      ZipEntry meta = zip.getEntry(METADATA_ENTRY);
      ZipEntry type = zip.getEntry(INPUT_TYPE_ENTRY);
      if (meta == null || type == null) {
        throw new IllegalArgumentException(
            "File " + path.toAbsolutePath() + " is a zip but has no '"
                + (meta == null ? METADATA_ENTRY : INPUT_TYPE_ENTRY)
                + "' entry, so it was not written by PretrainedEncoder.save (a plain DL4J model?)."
                + " Restore it with ModelSerializer.restoreComputationGraph, or cut it with"
                + " PretrainedEncoder.from(graph, encoder, metadata) and save that");
      }
      try (InputStream in = zip.getInputStream(meta)) {
        metadata = JSON.readValue(in, ModelMetadata.class);
      } catch (JsonProcessingException e) {
        throw unreadableEntry(path, METADATA_ENTRY, e);
      }
      try (InputStream in = zip.getInputStream(type)) {
        inputType = NeuralNetConfiguration.mapper().readValue(in, InputType.class);
      } catch (JsonProcessingException e) {
        throw unreadableEntry(path, INPUT_TYPE_ENTRY, e);
      }
      ZipEntry padding = zip.getEntry(PADDING_ENTRY);
      if (padding != null) {
        try (InputStream in = zip.getInputStream(padding)) {
          JsonNode node = JSON.readTree(in).get("paddingId");
          if (node == null || !node.isInt()) {
            throw new IllegalArgumentException("File " + path.toAbsolutePath() + ": entry " + PADDING_ENTRY
                + " has no integer \"paddingId\"; the file is corrupt, export it again");
          }
          paddingId = OptionalInt.of(node.intValue());
        }
      }
      ZipEntry vocab = zip.getEntry(VOCABULARY_ENTRY);
      if (vocab != null) {
        try (InputStream in = zip.getInputStream(vocab)) {
          vocabulary = Vocabulary.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), null,
              "vocabulary in " + path.toAbsolutePath());
        }
      }
    } catch (ZipException e) {
      throw new IllegalArgumentException(
          "File " + path.toAbsolutePath() + " is not a readable zip (" + e.getMessage()
              + "): it is truncated (e.g. an interrupted copy) or not a model file."
              + " Copy it again or re-export it with PretrainedEncoder.save", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read pretrained encoder " + path.toAbsolutePath()
          + ": " + e.getMessage() + "; the file may be truncated or corrupt, copy it again", e);
    }
    ComputationGraph graph;
    try {
      graph = ModelSerializer.restoreComputationGraph(path.toFile(), false);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "File " + path.toAbsolutePath() + " has ssl4j metadata but its DL4J model entries"
              + " could not be restored (" + e + "); the file is corrupt, copy or export it again", e);
    }
    String representation = EncoderGraphCheck.representationVertex("File " + path.toAbsolutePath(),
        "The file was edited, is corrupt or was not written by PretrainedEncoder.save; export the"
            + " encoder again with PretrainedEncoder.save",
        graph, metadata, inputType, paddingId, vocabulary);
    return new PretrainedEncoder(graph, metadata, inputType, representation, paddingId, vocabulary);
  }

  private static IllegalArgumentException unreadableEntry(Path path, String entry, JsonProcessingException e) {
    return new IllegalArgumentException("File " + path.toAbsolutePath() + ": entry " + entry
        + " is not valid JSON for this version of ssl4j (" + e.getOriginalMessage()
        + "); the file was edited or is corrupt, export the encoder again with PretrainedEncoder.save", e);
  }

  @Override
  public String toString() {
    return "PretrainedEncoder[" + metadata.encoderDescription() + ", representation="
        + representationVertex + ", task=" + metadata.taskId() + "]";
  }
}
