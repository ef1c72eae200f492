package io.github.ssl4j.tasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.PretextTask;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No public static method or public constructor of ssl-core or ssl-tasks answers a null argument
 * with a bare NullPointerException: when one is thrown, its message names what was null (e.g.
 * {@code Objects.requireNonNull(x, "x")}). Each is called with null for every reference parameter
 * and 0/false for primitives.
 */
class NullArgumentsTest {

  private static List<Class<?>> publicClasses(Class<?> anchor) throws IOException, URISyntaxException {
    Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    // target/classes in a module's own build, the module's jar in a reactor build after package
    try (FileSystem jar = Files.isRegularFile(location) ? FileSystems.newFileSystem(location) : null) {
      return publicClasses(anchor, jar == null ? location : jar.getPath("/"));
    }
  }

  private static List<Class<?>> publicClasses(Class<?> anchor, Path root) throws IOException {
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.endsWith("package-info") || name.endsWith("module-info")) {
          continue;
        }
        try {
          Class<?> c = Class.forName(name, false, anchor.getClassLoader());
          if (Modifier.isPublic(c.getModifiers()) && !c.isAnonymousClass() && !c.isSynthetic()
              && (c.getEnclosingClass() == null || Modifier.isPublic(c.getEnclosingClass().getModifiers()))) {
            out.add(c);
          }
        } catch (ClassNotFoundException | LinkageError e) {
          // not loadable in isolation: not part of the checked surface
        }
      }
    }
    return out;
  }

  private static Object zero(Class<?> type) {
    if (!type.isPrimitive()) {
      return null;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == char.class) {
      return (char) 0;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == float.class) {
      return 0f;
    }
    if (type == double.class) {
      return 0d;
    }
    if (type == byte.class) {
      return (byte) 0;
    }
    if (type == short.class) {
      return (short) 0;
    }
    return 0;
  }

  @Test
  void nullArgumentsGiveAMessageNamingTheArgument() throws Exception {
    List<String> bare = new ArrayList<>();
    int called = 0;
    List<Class<?>> classes = new ArrayList<>(publicClasses(PretextTask.class));
    classes.addAll(publicClasses(NullArgumentsTest.class.getClassLoader()
        .loadClass("io.github.ssl4j.tasks.contrastive.ContrastiveTask")));
    for (Class<?> c : classes) {
      List<Executable> targets = new ArrayList<>();
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()
            && !m.getName().equals("main")) {
          targets.add(m);
        }
      }
      if (!c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && !c.isEnum()) {
        for (Constructor<?> k : c.getDeclaredConstructors()) {
          if (Modifier.isPublic(k.getModifiers())) {
            targets.add(k);
          }
        }
      }
      for (Executable x : targets) {
        Class<?>[] types = x.getParameterTypes();
        if (Stream.of(types).allMatch(Class::isPrimitive)) {
          continue;
        }
        Object[] args = Stream.of(types).map(NullArgumentsTest::zero).toArray();
        called++;
        try {
          if (x instanceof Method m) {
            m.invoke(null, args);
          } else {
            ((Constructor<?>) x).newInstance(args);
          }
        } catch (InvocationTargetException e) {
          Throwable t = e.getCause();
          if (t instanceof NullPointerException && (t.getMessage() == null || t.getMessage().startsWith("Cannot "))) {
            // null, or the JVM's helpful message about a dereference: not named by the API
            bare.add(x.getDeclaringClass().getName() + "." + x.getName() + List.of(types).stream()
                .map(Class::getSimpleName).toList() + ": " + t.getMessage());
          }
        }
      }
    }
    assertTrue(called > 50, "only " + called + " public methods and constructors were found");
    assertTrue(bare.isEmpty(), bare.size() + " public methods or constructors throw a bare NullPointerException on"
        + " null (use Objects.requireNonNull(x, \"x\")):\n" + String.join("\n", bare));
  }
}
