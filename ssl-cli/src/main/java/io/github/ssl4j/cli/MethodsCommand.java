package io.github.ssl4j.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ssl4j methods}: the pretraining methods and their encoder presets. */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List the pretraining methods and their encoder presets.")
final class MethodsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    var out = spec.commandLine().getOut();
    for (String name : Methods.names()) {
      PretrainingMethod m = Methods.get(name);
      StringBuilder aliases = new StringBuilder();
      for (Map.Entry<String, String> a : Methods.aliases().entrySet()) {
        if (a.getValue().equals(name)) {
          aliases.append(aliases.length() == 0 ? " (alias " : ", ").append(a.getKey());
        }
      }
      if (aliases.length() > 0) {
        aliases.append(')');
      }
      out.printf("%-14s %s%s%n", name, m.description(), aliases);
      out.printf("%-14s encoder presets: %s (default %s)%n", "", String.join(", ", m.encoderPresets()),
          m.encoderPresets().get(0));
    }
    out.flush();
  }
}
