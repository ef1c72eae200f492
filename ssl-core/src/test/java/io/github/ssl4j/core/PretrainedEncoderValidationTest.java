package io.github.ssl4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ssl4j.core.encoders.MlpEncoder;
import io.github.ssl4j.core.encoders.TransformerEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A saved encoder whose metadata disagrees with its own graph is refused on load with the field,
 * both values and the file, instead of loading and then writing past an array (a native crash) or
 * returning zero-padded vectors. Each case edits one entry of a saved zip.
 */
class PretrainedEncoderValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Input 16, representation 64. */
  private static final MlpEncoder MLP = MlpEncoder.builder(16).hiddenWidths(32, 64).build();

  @TempDir static Path dir;
  private static Path saved;

  @BeforeAll
  static void save() {
    saved = dir.resolve("mlp.zip");
    PretrainedEncoder.from(TestGraphs.pretrained(MLP, 3), MLP, TestGraphs.metadata(MLP)).save(saved);
  }

  @Test
  void untouchedFileLoadsAndEmbedsAtTheGraphsWidth() {
    PretrainedEncoder enc = PretrainedEncoder.load(saved);
    assertEquals(64, enc.representationSize());
    INDArray x = Nd4j.rand(DataType.FLOAT, 5, 16);
    INDArray z = enc.embed(x, 2);
    assertArrayEquals(new long[] {5, 64}, z.shape());
    assertEquals(enc.embed(x), z);
  }

  @Test
  void editedRepresentationSizeIsRefusedNamingFieldBothValuesAndFile() throws IOException {
    for (int edited : new int[] {32, 128}) {
      Path file = editMetadata("rep" + edited + ".zip", m -> m.put("representationSize", edited));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(file));
      assertMessage(e, file, "representationSize is " + edited, "expected 64",
          "'" + MLP.outputVertex() + "'", "PretrainedEncoder.save");
    }
  }

  @Test
  void editedInputTypeStringIsRefused() throws IOException {
    Path file = editMetadata("type.zip", m -> m.put("encoderInputType", "InputTypeFeedForward(32)"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(file));
    assertMessage(e, file, "encoderInputType is InputTypeFeedForward(32)", "expected " + MLP.inputType());
  }

  @Test
  void inputTypeTheGraphWasNotBuiltForIsRefusedEvenWhenMetadataAgrees() throws IOException {
    InputType other = InputType.feedForward(12);
    Path file = edit(saved, "input12.zip", PretrainedEncoder.INPUT_TYPE_ENTRY,
        b -> bytes(() -> NeuralNetConfiguration.mapper().writeValueAsBytes(other)));
    Path both = edit(file, "input12both.zip", PretrainedEncoder.METADATA_ENTRY,
        b -> editJson(b, m -> m.put("encoderInputType", other.toString())));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(both));
    assertMessage(e, both, "encoderInputType is " + other, "its 16 inputs; this one gives it 12");
    IllegalArgumentException onlyEntry = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(file));
    assertMessage(onlyEntry, file, "encoderInputType is " + MLP.inputType(), "expected " + other);
  }

  @Test
  void editedBlockNamesAreRefused() throws IOException {
    Path file = editMetadata("blocks.zip",
        m -> m.set("encoderBlocks", JSON.valueToTree(List.of(MLP.blockOutputs().get(0), "encoder/dense9"))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(file));
    assertMessage(e, file, "encoderBlocks is [", "[encoder/dense9] are not", MLP.blockOutputs().get(0));
  }

  @Test
  void missingVersionIsRefusedAndUnreadableMetadataNamesTheEntry() throws IOException {
    Path blank = editMetadata("version.zip", m -> m.put("dl4jVersion", ""));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(blank));
    assertMessage(e, blank, "dl4jVersion is ", "a non-empty string");
    Path noBlocks = editMetadata("noblocks.zip", m -> m.remove("encoderBlocks"));
    IllegalArgumentException unreadable =
        assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(noBlocks));
    assertMessage(unreadable, noBlocks, PretrainedEncoder.METADATA_ENTRY, "export the encoder again");
  }

  @Test
  void paddingIdOutsideTheTokenEmbeddingIsRefused() throws IOException {
    TransformerEncoder enc = TransformerEncoder.builder(10, 5).width(4).heads(2).feedForward(8).blocks(1)
        .dropout(0).build();
    Path file = dir.resolve("transformer.zip");
    PretrainedEncoder.from(graphOf(enc), enc, TestGraphs.metadata(enc)).save(file);
    assertEquals(0, PretrainedEncoder.load(file).paddingId().getAsInt());
    for (int id : new int[] {10, -1}) {
      Path edited = edit(file, "pad" + id + ".zip", PretrainedEncoder.PADDING_ENTRY,
          b -> ("{\"paddingId\":" + id + "}").getBytes(StandardCharsets.UTF_8));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.load(edited));
      assertMessage(e, edited, "paddingId is " + id, "[0, 10)");
    }
  }

  @Test
  void encoderWhoseDeclaredSizeDisagreesWithItsGraphIsRefusedByFrom() {
    Encoder lying = new Encoder() {
      @Override
      public InputType inputType() {
        return MLP.inputType();
      }

      @Override
      public String addTo(ComputationGraphConfiguration.GraphBuilder graph, String input) {
        return MLP.addTo(graph, input);
      }

      @Override
      public InputType outputType() {
        return InputType.feedForward(32); // the graph's output is 64 wide
      }

      @Override
      public List<String> blockOutputs() {
        return MLP.blockOutputs();
      }
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainedEncoder.from(TestGraphs.pretrained(MLP, 3), lying, TestGraphs.metadata(lying)));
    assertTrue(e.getMessage().contains("representationSize is 32, expected 64"), e.getMessage());
  }

  private static org.deeplearning4j.nn.graph.ComputationGraph graphOf(Encoder enc) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(5).dataType(DataType.FLOAT).graphBuilder()
        .addInputs(VertexNames.INPUT).setInputTypes(enc.inputType());
    String out = enc.addTo(g, VertexNames.INPUT);
    g.setOutputs(Representations.addTo(g, out, enc.outputType()));
    var net = new org.deeplearning4j.nn.graph.ComputationGraph(g.build());
    net.init();
    return net;
  }

  private static void assertMessage(Exception e, Path file, String... parts) {
    String m = e.getMessage();
    assertTrue(m.contains(file.toAbsolutePath().toString()), m);
    for (String p : parts) {
      assertTrue(m.contains(p), "missing '" + p + "' in: " + m);
    }
  }

  private static Path editMetadata(String name, java.util.function.Consumer<ObjectNode> change) throws IOException {
    return edit(saved, name, PretrainedEncoder.METADATA_ENTRY, b -> editJson(b, change));
  }

  private static byte[] editJson(byte[] json, java.util.function.Consumer<ObjectNode> change) {
    return bytes(() -> {
      ObjectNode node = (ObjectNode) JSON.readTree(json);
      change.accept(node);
      return JSON.writeValueAsBytes(node);
    });
  }

  /** A copy of {@code source} with one entry's bytes replaced. */
  private static Path edit(Path source, String name, String entry, UnaryOperator<byte[]> change) throws IOException {
    Path target = dir.resolve(name);
    boolean found = false;
    try (ZipFile in = new ZipFile(source.toFile());
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
      for (ZipEntry e : Collections.list(in.entries())) {
        byte[] b = in.getInputStream(e).readAllBytes();
        if (e.getName().equals(entry)) {
          b = change.apply(b);
          found = true;
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(b);
        out.closeEntry();
      }
    }
    assertTrue(found, "no entry " + entry + " in " + source);
    return target;
  }

  private interface IoSupplier {
    byte[] get() throws IOException;
  }

  private static byte[] bytes(IoSupplier s) {
    try {
      return s.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
