package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainTextReaderTest {
  @TempDir Path dir;

  @Test
  void onePerFileInSortedOrder() throws Exception {
    Files.writeString(dir.resolve("b.txt"), "second\nfile");
    Files.writeString(dir.resolve("a.txt"), "first");
    Files.writeString(dir.resolve("c.md"), "other");
    Files.writeString(dir.resolve(".hidden.txt"), "skip");
    List<Document> docs = PlainTextReader.onePerFile().withExtension("txt").read(dir);
    assertEquals(List.of("first", "second\nfile"), docs.stream().map(Document::text).toList());
    assertEquals(List.of("a.txt", "b.txt"), docs.stream().map(Document::source).toList());
    assertFalse(docs.get(0).hasLabel());
    assertEquals(3, PlainTextReader.onePerFile().read(dir).size());
  }

  @Test
  void onePerLineSkipsBlankLines() throws Exception {
    Path f = dir.resolve("lines.txt");
    Files.writeString(f, "one\r\n\r\n  \ntwo\rthree\n");
    List<Document> docs = PlainTextReader.onePerLine().read(f);
    assertEquals(List.of("one", "two", "three"), docs.stream().map(Document::text).toList());
    assertEquals(List.of("lines.txt:1", "lines.txt:4", "lines.txt:5"), docs.stream().map(Document::source).toList());
  }

  @Test
  void fileListKeepsGivenOrder() throws Exception {
    Path a = Files.writeString(dir.resolve("a"), "A");
    Path b = Files.writeString(dir.resolve("b"), "B");
    assertEquals(
        List.of("B", "A"), PlainTextReader.onePerFile().read(List.of(b, a)).stream().map(Document::text).toList());
  }

  @Test
  void errors() throws Exception {
    assertThrows(UncheckedIOException.class, () -> PlainTextReader.onePerFile().read(dir.resolve("missing")));
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> PlainTextReader.onePerFile().withExtension("txt").read(dir));
    assertTrue(empty.getMessage().contains("*.txt"), empty.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PlainTextReader.onePerFile().withExtension(".txt"));
    assertThrows(IllegalArgumentException.class, () -> PlainTextReader.onePerFile().read(List.of()));
    Path blank = Files.writeString(dir.resolve("blank.txt"), "\n \n");
    assertThrows(IllegalArgumentException.class, () -> PlainTextReader.onePerLine().read(blank));
    Path latin1 = Files.write(dir.resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    UncheckedIOException bad = assertThrows(UncheckedIOException.class, () -> PlainTextReader.onePerFile().read(latin1));
    assertTrue(bad.getMessage().contains("latin1.txt") && bad.getMessage().contains("UTF-8"), bad.getMessage());
    assertEquals(
        "caf\u00e9",
        PlainTextReader.onePerFile().withCharset(StandardCharsets.ISO_8859_1).read(latin1).get(0).text());
  }
}
