package io.github.ssl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start is real code: its {@code java} block compiles against ssl-core,
 * ssl-tasks and the ND4J backend, and runs end to end on a few hundred images of the bundled
 * sample. The README itself has balanced code fences, so it renders as written, and the
 * walk-through in docs/getting-started.md quotes the quick start as it is.
 */
class ReadmeQuickStartTest {
  private static final String QUICK_START_HEADING = "## Quick start";
  private static final Pattern PUBLIC_CLASS = Pattern.compile("public\\s+(?:final\\s+)?class\\s+(\\w+)");
  private static final Pattern RESULT_LINE =
      Pattern.compile("kNN ([0-9.]+) %, linear probe ([0-9.]+) %");

  @TempDir Path tmp;

  @Test
  void quickStartCompilesAndRunsOnTheBundledSample() throws Exception {
    String code = quickStartCode(readme());
    Matcher m = PUBLIC_CLASS.matcher(code);
    assertTrue(m.find(), "the quick start's java block declares no public class:\n" + code);
    String className = m.group(1);

    Path classes = compile(className, code);

    // Run it tiny: 512 images = 2 steps per epoch, 3 epochs.
    String data = SampleData.writeTo(tmp);
    Path encoderFile = tmp.resolve("encoder.zip");
    String output = runMain(classes, className, data, "512", encoderFile.toString());

    assertTrue(Files.size(encoderFile) > 0, "the quick start saved no encoder to " + encoderFile);
    Matcher r = RESULT_LINE.matcher(output);
    assertTrue(r.find(), "the quick start printed no 'kNN .. %, linear probe .. %' line:\n" + output);
    double knn = Double.parseDouble(r.group(1));
    double probe = Double.parseDouble(r.group(2));
    // chance is 10 %; six SimCLR steps already put both well above it
    assertTrue(knn > 30 && knn <= 100, "kNN accuracy " + knn + " %");
    assertTrue(probe > 30 && probe <= 100, "linear probe accuracy " + probe + " %");
  }

  @Test
  void readmeCodeFencesAreBalanced() throws IOException {
    List<String> fences =
        readme().lines().filter(l -> l.stripLeading().startsWith("```")).collect(Collectors.toList());
    assertEquals(0, fences.size() % 2, "odd number of ``` lines in README.md, one fence is stray: " + fences);
    for (int i = 1; i < fences.size(); i += 2) {
      assertEquals("```", fences.get(i).strip(), "fence " + (i + 1) + " should close a block: " + fences);
    }
  }

  @Test
  void gettingStartedQuotesTheQuickStartAsItIs() throws IOException {
    String quickStart = quickStartCode(readme());
    List<String> codeLines = quickStart.lines().map(String::strip).collect(Collectors.toList());
    String page = Files.readString(repositoryRoot().resolve("docs/getting-started.md"), StandardCharsets.UTF_8);
    int section = page.indexOf("## 3.");
    assertTrue(section >= 0, "docs/getting-started.md has no '## 3.' section (the quick start line by line)");
    String walkThrough = page.substring(section, page.indexOf("\n## ", section + 1));
    int quoted = 0;
    boolean inJava = false;
    for (String line : walkThrough.lines().collect(Collectors.toList())) {
      String l = line.strip();
      if (l.startsWith("```")) {
        inJava = l.equals("```java");
        continue;
      }
      if (inJava && !l.isEmpty()) {
        quoted++;
        String withoutComment = l.replaceAll("\\s*//.*$", "");
        assertTrue(
            codeLines.stream().anyMatch(c -> c.replaceAll("\\s*//.*$", "").equals(withoutComment)),
            "docs/getting-started.md quotes a line the README's quick start does not have: " + l);
      }
    }
    assertTrue(quoted > 10, "docs/getting-started.md quotes only " + quoted + " lines of the quick start");
  }

  /** The {@code ```java} block in the quick-start section of the README. */
  static String quickStartCode(String readme) {
    List<String> lines = readme.lines().collect(Collectors.toList());
    int heading = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().toLowerCase(Locale.ROOT).equals(QUICK_START_HEADING.toLowerCase(Locale.ROOT))) {
        heading = i;
        break;
      }
    }
    if (heading < 0) {
      fail("README.md has no '" + QUICK_START_HEADING + "' heading; the quick start must stay there");
    }
    for (int i = heading + 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("## ")) {
        break;
      }
      if (line.equals("```java")) {
        StringBuilder code = new StringBuilder();
        for (int j = i + 1; j < lines.size(); j++) {
          if (lines.get(j).strip().equals("```")) {
            return code.toString();
          }
          code.append(lines.get(j)).append('\n');
        }
        fail("the quick start's ```java block in README.md is never closed");
      }
    }
    return fail("README.md's '" + QUICK_START_HEADING + "' section has no ```java block");
  }

  /** README.md at the root of the repository. */
  private static String readme() throws IOException {
    return Files.readString(repositoryRoot().resolve("README.md"), StandardCharsets.UTF_8);
  }

  /** The directory holding README.md and ssl-examples, found from the module's directory upwards. */
  private static Path repositoryRoot() {
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("README.md")) && Files.isDirectory(d.resolve("ssl-examples"))) {
        return d;
      }
    }
    return fail("no README.md next to an ssl-examples directory in " + dir + " or above");
  }

  /** Compiles {@code code} as {@code className.java}; fails with every error javac reports. */
  private Path compile(String className, String code) throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path out = Files.createDirectories(tmp.resolve("classes"));
    Path file = src.resolve(className + ".java");
    Files.writeString(file, code, StandardCharsets.UTF_8);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertTrue(javac != null, "no system Java compiler: run the tests on a JDK, not a JRE");
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = List.of("-classpath", classPath(), "-d", out.toString(), "-proc:none");
      boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(file.toFile())).call();
      List<String> errors = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          errors.add("line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
        }
      }
      if (!errors.isEmpty() || !ok) {
        fail("README.md's quick start does not compile:\n" + String.join("\n", errors) + "\n--- code ---\n" + code);
      }
    }
    return out;
  }

  /**
   * The test class path: {@code java.class.path}, plus surefire's own list when it runs the tests
   * from a manifest-only jar.
   */
  private static String classPath() {
    List<String> entries = new ArrayList<>();
    for (String property : new String[] {"java.class.path", "surefire.test.class.path"}) {
      String value = System.getProperty(property);
      if (value != null && !value.isBlank()) {
        entries.add(value);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** Runs {@code className.main(args)} from {@code classes} and returns what it printed. */
  private static String runMain(Path classes, String className, String... args) throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader =
            new URLClassLoader(new URL[] {classes.toUri().toURL()}, ReadmeQuickStartTest.class.getClassLoader());
        PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      System.setOut(tee);
      try {
        main.invoke(null, (Object) args);
      } finally {
        System.setOut(stdout);
      }
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    stdout.print(output);
    return output;
  }
}
