package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java quick start, taken from the README itself, compiled and run: imports included,
 * so a reader can paste it. Only the data directory is replaced, by a temporary one.
 *
 * <p>Regression (issue 9, README): the quick start showed no imports, so it did not compile as
 * pasted, and the test that "kept it compiling" held a separate copy that could drift.
 */
class QuickStartTest {
  private static final String MARKER =
      "<!-- Compiled and run, exactly as shown, by"
          + " mnemo4j-cli/src/test/java/io/mnemo4j/cli/QuickStartTest.java -->";

  @TempDir Path tmp;

  @Test
  void quickStart_asInReadme_compilesAndRuns() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int marker = readme.indexOf(MARKER);
    assertThat(marker).as("the README marks its quick start").isNotNegative();
    int start = readme.indexOf("```java\n", marker) + "```java\n".length();
    int end = readme.indexOf("```", start);
    String source = readme.substring(start, end);
    assertThat(source).contains("import io.mnemo4j.Mnemo;").contains("public class QuickStart");
    String data = tmp.resolve("data").toString().replace("\\", "\\\\");
    assertThat(source).contains("Path.of(\"data\")");
    source = source.replace("Path.of(\"data\")", "Path.of(\"" + data + "\")");

    Path src = tmp.resolve("src");
    Path classes = tmp.resolve("classes");
    Files.createDirectories(src);
    Files.createDirectories(classes);
    Files.writeString(src.resolve("QuickStart.java"), source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of(
                    "-classpath",
                    classPath(),
                    "-d",
                    classes.toString(),
                    "--release",
                    "21",
                    "-proc:none"),
                null,
                javac
                    .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                    .getJavaFileObjects(src.resolve("QuickStart.java")))
            .call();
    assertThat(compiled).as("the quick start compiles:\n%s", diagnostics).isTrue();

    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, QuickStartTest.class.getClassLoader())) {
      Method main = loader.loadClass("QuickStart").getMethod("main", String[].class);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(stdout);
    }
    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).first().isEqualTo("Our CRM is called Atlas");
    assertThat(lines).last().isEqualTo("purged 2 memories");
  }

  /** The test class path: surefire's real one when it runs the tests through a booter jar. */
  private static String classPath() throws IOException {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    for (String entry : cp.split(File.pathSeparator)) {
      if (!entry.isBlank() && !Files.exists(Path.of(entry))) {
        throw new IOException("class path entry missing: " + entry);
      }
    }
    return cp;
  }
}
