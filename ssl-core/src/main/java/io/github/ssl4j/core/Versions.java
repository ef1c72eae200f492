package io.github.ssl4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Library and DL4J versions, from the build (filtered resource). */
public final class Versions {
  private static final Properties PROPS = load();

  private Versions() {}

  public static String ssl4j() {
    return PROPS.getProperty("ssl4j.version", "unknown");
  }

  public static String dl4j() {
    return PROPS.getProperty("dl4j.version", "unknown");
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("/io/github/ssl4j/core/versions.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the version resource io/github/ssl4j/core/versions.properties"
          + " from the ssl-core jar: " + e.getMessage() + "; the jar may be damaged, download it again", e);
    }
    return p;
  }
}
