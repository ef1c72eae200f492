package io.github.ssl4j.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON Lines, CSV and plain-text streams: content, order, laziness and error messages. */
class TextReadersTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static List<String> texts(List<Document> docs) {
    return docs.stream().map(Document::text).toList();
  }

  private static void assertMessage(Throwable e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  // ---- JSON Lines ---------------------------------------------------------------------------

  @Test
  void jsonLinesReadsAFieldFileByFileInNameOrder() throws Exception {
    write("b.jsonl", "{\"text\":\"second file\",\"y\":\"spam\"}\n");
    write("a.jsonl", "{\"text\":\"first\",\"y\":\"ham\",\"n\":1}\n\n  \n{\"y\":2,\"text\":\"caf\u00E9 \\\"quoted\\\"\"}\n");
    write("c.txt", "{\"text\":\"not read: other extension\"}\n");
    List<Document> docs = JsonLinesReader.field("text").withLabelField("y").read(dir);
    assertEquals(List.of("first", "caf\u00E9 \"quoted\"", "second file"), texts(docs));
    assertEquals(List.of("ham", "2", "spam"), docs.stream().map(Document::label).toList());
    assertEquals(List.of("a.jsonl:1", "a.jsonl:4", "b.jsonl:1"), docs.stream().map(Document::source).toList());
    Path nested = write("nested.json", "{\"msg\":{\"body\":\"deep\"}}\n");
    assertEquals(List.of("deep"), texts(JsonLinesReader.field("/msg/body").read(nested)));
  }

  @Test
  void jsonLinesErrorsNameFileLineAndProblem() throws Exception {
    Path bad = write("bad.jsonl", "{\"text\":\"ok\"}\n{\"text\": oops}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonLinesReader.field("text").read(bad));
    assertMessage(e, "bad.jsonl:2", "not valid JSON");
    Path missing = write("missing.jsonl", "{\"body\":\"x\",\"id\":3}\n");
    e = assertThrows(IllegalArgumentException.class, () -> JsonLinesReader.field("text").read(missing));
    assertMessage(e, "missing.jsonl:1", "\"text\"", "[body, id]");
    Path number = write("number.jsonl", "{\"text\":42}\n");
    e = assertThrows(IllegalArgumentException.class, () -> JsonLinesReader.field("text").read(number));
    assertMessage(e, "number.jsonl:1", "NUMBER", "expected a string");
    Path array = write("array.jsonl", "[1,2]\n");
    e = assertThrows(IllegalArgumentException.class, () -> JsonLinesReader.field("text").read(array));
    assertMessage(e, "array.jsonl:1", "JSON object");
    Path latin1 = dir.resolve("latin1.jsonl");
    Files.write(latin1, "{\"text\":\"ok\"}\n{\"text\":\"caf\u00E9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> JsonLinesReader.field("text").read(latin1));
    assertMessage(u, "latin1.jsonl:2", "UTF-8");
    assertThrows(UncheckedIOException.class, () -> JsonLinesReader.field("text").stream(dir.resolve("none")));
  }

  @Test
  void streamsAreLazyUpToTheBadLine() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("lazy"));
    Files.writeString(sub.resolve("1.jsonl"), "{\"t\":\"a\"}\n{\"t\":\"b\"}\n");
    Files.writeString(sub.resolve("2.jsonl"), "not json\n");
    try (Stream<Document> s = JsonLinesReader.field("t").stream(sub)) {
      assertEquals(List.of("a", "b"), s.limit(2).map(Document::text).toList());
    }
    try (Stream<Document> s = JsonLinesReader.field("t").stream(sub)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.toList());
      assertMessage(e, "2.jsonl:1");
    }
  }

  // ---- CSV ----------------------------------------------------------------------------------

  @Test
  void csvReadsAColumnWithQuotedCommasQuotesAndLineBreaks() throws Exception {
    Path csv = write("tickets.csv", "id,subject,label\r\n"
        + "1,\"Hello, world\",ham\r\n"
        + "2,\"a \"\"quoted\"\" word\nand a second line\",spam\r\n"
        + "3,,ham\r\n"
        + "4,plain,spam\r\n");
    List<Document> docs = CsvColumnReader.column("subject").withLabelColumn("label").read(csv);
    assertEquals(List.of("Hello, world", "a \"quoted\" word\nand a second line", "", "plain"), texts(docs));
    assertEquals(List.of("ham", "spam", "ham", "spam"), docs.stream().map(Document::label).toList());
    assertEquals(List.of("tickets.csv:2", "tickets.csv:3", "tickets.csv:5", "tickets.csv:6"),
        docs.stream().map(Document::source).toList());
    Path tsv = write("t.tsv", "text\tx\nfirst\t1\nsecond\t2\n");
    assertEquals(List.of("first", "second"),
        texts(CsvColumnReader.column("text").withDelimiter('\t').withExtension("tsv").read(dir)));
  }

  @Test
  void csvErrorsNameFileLineAndProblem() throws Exception {
    Path noColumn = write("no-column.csv", "id,body\n1,x\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CsvColumnReader.column("text").read(noColumn));
    assertMessage(e, "no-column.csv:1", "\"text\"", "[id, body]");
    Path shortRow = write("short.csv", "id,text\n1,fine\n2\n");
    e = assertThrows(IllegalArgumentException.class, () -> CsvColumnReader.column("text").read(shortRow));
    assertMessage(e, "short.csv:3", "1 cells", "\"text\"");
    Path quote = write("quote.csv", "id,text\n1,\"never closed\n2,x\n");
    e = assertThrows(IllegalArgumentException.class, () -> CsvColumnReader.column("text").read(quote));
    assertMessage(e, "quote.csv", "not valid CSV");
    Path latin1 = dir.resolve("latin1.csv");
    Files.write(latin1, "text\ncaf\u00E9\n".getBytes(StandardCharsets.ISO_8859_1));
    UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> CsvColumnReader.column("text").read(latin1));
    assertMessage(u, "latin1.csv", "UTF-8");
    assertEquals(List.of("caf\u00E9"),
        texts(CsvColumnReader.column("text").withCharset(StandardCharsets.ISO_8859_1).read(latin1)));
  }

  // ---- plain text ---------------------------------------------------------------------------

  @Test
  void plainTextStreamsAFolderInNameOrder() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("txt"));
    Files.writeString(sub.resolve("b.txt"), "bee");
    Files.writeString(sub.resolve("a.txt"), "ay\n\nsecond line");
    Files.writeString(sub.resolve(".hidden.txt"), "hidden");
    try (Stream<Document> s = PlainTextReader.onePerFile().withExtension("txt").stream(sub)) {
      assertEquals(List.of("ay\n\nsecond line", "bee"), s.map(Document::text).toList());
    }
    try (Stream<Document> s = PlainTextReader.onePerLine().stream(sub)) {
      assertEquals(List.of("a.txt:1", "a.txt:3", "b.txt:1"), s.map(Document::source).toList());
    }
    assertEquals(PlainTextReader.onePerLine().read(sub), PlainTextReader.onePerLine().stream(sub).toList());
  }
}
