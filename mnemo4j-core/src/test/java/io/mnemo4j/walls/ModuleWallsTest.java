package io.mnemo4j.walls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.walls.ModuleWalls.Exemption;
import io.mnemo4j.walls.ModuleWalls.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walls that module descriptors cannot build: mcp, server and cli (the MCP SDK's automatic
 * module name has hyphens), onnx, langchain4j and langchain4j-memory (langchain4j-core has no
 * module name) and the Spring modules (class-path applications) have no {@code module-info.java},
 * so javac does not stop them from importing the core's internals. This test does, for main and
 * test code alike.
 */
class ModuleWallsTest {
  /**
   * The benchmarks measure the engine's own text hash and seed stores with the ids and hashes the
   * engine writes; they are never shipped, and a qualified export cannot name them (no module).
   */
  private static final List<Exemption> EXEMPTIONS =
      List.of(
          new Exemption(
              "mnemo4j-bench",
              "io.mnemo4j.internal.util",
              "benchmarks of the engine's internals; not shipped"));

  @Test
  void reactor_everyReferenceAcrossAModule_isToAnExportedPackage() {
    Path root = reactorRoot();
    assertThat(ModuleWalls.ownedPackages(root))
        .as("the check must see the core's internal packages, or it proves nothing")
        .containsKeys("io.mnemo4j.internal", "io.mnemo4j.internal.store", "io.mnemo4j.spi");

    List<Violation> violations = ModuleWalls.check(root, EXEMPTIONS);

    assertThat(violations)
        .as("imports of packages the owning module-info.java does not export to the importer")
        .isEmpty();
  }

  @Test
  void check_importOfInternalPackage_namesFileLineAndPackage(@TempDir Path root)
      throws IOException {
    reactor(root);
    write(
        root,
        "app/src/main/java/io/mnemo4j/app/App.java",
        """
        package io.mnemo4j.app;

        import io.mnemo4j.Api;
        import io.mnemo4j.internal.util.Hash;

        class App {}
        """);

    assertThat(ModuleWalls.check(root, List.of()))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.file()).isEqualTo(Path.of("app/src/main/java/io/mnemo4j/app/App.java"));
              assertThat(v.line()).isEqualTo(4);
              assertThat(v.pkg()).isEqualTo("io.mnemo4j.internal.util");
              assertThat(v.owner()).isEqualTo("x.core");
              assertThat(v.toString())
                  .isEqualTo(
                      "app/src/main/java/io/mnemo4j/app/App.java:4: io.mnemo4j.internal.util"
                          + " (module x.core) is not exported to app (no module name)");
            });
  }

  @Test
  void check_qualifiedNameStaticImportAndSplitPackage_areAllFound(@TempDir Path root)
      throws IOException {
    reactor(root);
    write(
        root,
        "app/src/test/java/io/mnemo4j/app/AppTest.java",
        """
        package io.mnemo4j.app;

        import static io.mnemo4j.internal.util.Hash.of;

        class AppTest {
          Object hash = io.mnemo4j.internal.util.Hash.of("x");
        }
        """);
    write(
        root,
        "app/src/main/java/io/mnemo4j/internal/util/Sneak.java",
        """
        package io.mnemo4j.internal.util;

        class Sneak {}
        """);

    assertThat(ModuleWalls.check(root, List.of()))
        .extracting(v -> v.file().getFileName() + ":" + v.line() + " " + v.pkg())
        .containsExactlyInAnyOrder(
            "AppTest.java:3 io.mnemo4j.internal.util",
            "AppTest.java:6 io.mnemo4j.internal.util",
            "Sneak.java:1 io.mnemo4j.internal.util");
  }

  @Test
  void check_exportedQualifiedToTheReaderCommentsAndStrings_areAllowed(@TempDir Path root)
      throws IOException {
    reactor(root);
    write(
        root,
        "store/src/main/java/module-info.java",
        "module x.store { requires x.core; exports io.mnemo4j.store; }\n");
    write(
        root,
        "store/src/main/java/io/mnemo4j/store/Store.java",
        """
        package io.mnemo4j.store;

        import io.mnemo4j.Api;
        import io.mnemo4j.internal.shared.Rows;

        class Store {}
        """);
    write(
        root,
        "app/src/main/java/io/mnemo4j/app/App.java",
        """
        package io.mnemo4j.app;

        import io.mnemo4j.Api;
        import io.mnemo4j.store.Store;

        /** Unlike {@link io.mnemo4j.internal.util.Hash}, this is fine. */
        class App {
          // io.mnemo4j.internal.util.Hash would not be
          String s = "io.mnemo4j.internal.util.Hash";
        }
        """);

    assertThat(ModuleWalls.check(root, List.of())).isEmpty();
    assertThat(
            ModuleWalls.check(
                root, List.of(new Exemption("app", "io.mnemo4j.internal.util", "a test"))))
        .isEmpty();
  }

  @Test
  void check_qualifiedExportToAnotherModule_isNotExportedToThisOne(@TempDir Path root)
      throws IOException {
    reactor(root);
    write(
        root,
        "app/src/main/java/io/mnemo4j/app/App.java",
        "package io.mnemo4j.app;\n\nimport io.mnemo4j.internal.shared.Rows;\n");

    assertThat(ModuleWalls.check(root, List.of()))
        .extracting(Violation::toString)
        .containsExactly(
            "app/src/main/java/io/mnemo4j/app/App.java:3: io.mnemo4j.internal.shared"
                + " (module x.core) is not exported to app (no module name)");
  }

  /**
   * A reactor of a core with a descriptor (an API, a shared and an internal package) and an app.
   */
  private static void reactor(Path root) throws IOException {
    write(
        root,
        "pom.xml",
        "<project><modules><module>core</module><module>store</module>"
            + "<module>app</module></modules></project>\n");
    write(
        root,
        "core/src/main/java/module-info.java",
        """
        /** The core. */
        module x.core {
          exports io.mnemo4j;
          // exports io.mnemo4j.internal.util;
          exports io.mnemo4j.internal.shared to
              x.store;
        }
        """);
    write(root, "core/src/main/java/io/mnemo4j/Api.java", "package io.mnemo4j;\nclass Api {}\n");
    write(
        root,
        "core/src/main/java/io/mnemo4j/internal/util/Hash.java",
        "package io.mnemo4j.internal.util;\nclass Hash {}\n");
    write(
        root,
        "core/src/main/java/io/mnemo4j/internal/shared/Rows.java",
        "package io.mnemo4j.internal.shared;\nclass Rows {}\n");
  }

  private static void write(Path root, String file, String content) throws IOException {
    Path path = root.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  /** The reactor root: surefire runs in the module directory, one below it. */
  private static Path reactorRoot() {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertThat(root.resolve("pom.xml")).exists();
    assertThat(root.resolve("mnemo4j-core/src/main/java/module-info.java")).exists();
    return root;
  }
}
