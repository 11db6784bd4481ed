package io.mnemo4j.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for a child JVM running a main class of this test's class path, with the flags the
 * in-jar models need: what the kill tests and the stdio tests start. Stateless.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** The java binary of the JVM running the tests. */
  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The JVM options, class path, main class and its arguments, without the java binary. */
  public static List<String> arguments(Class<?> main, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** The whole command line: {@link #javaBinary()}, then {@link #arguments}. */
  public static List<String> command(Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(arguments(main, args));
    return command;
  }
}
