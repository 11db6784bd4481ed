package io.mnemo4j.walls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The module walls checked from source: the modules that cannot have a {@code module-info.java}
 * (see docs) must still keep to what the descriptors of the others export. Reads the reactor's
 * {@code pom.xml} for the modules, each descriptor for its exports and each {@code src/main/java}
 * for the packages a module owns, then every Java source (main and test) for {@code io.mnemo4j}
 * package references: imports, static imports and qualified names in code. Stateless.
 */
final class ModuleWalls {
  private static final Pattern MODULE_ENTRY =
      Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");
  private static final Pattern MODULE_NAME = Pattern.compile("\\bmodule\\s+([\\w.]+)\\s*\\{");
  private static final Pattern EXPORTS =
      Pattern.compile("\\bexports\\s+([\\w.]+)\\s*(?:to\\s+([\\w.,\\s]+?))?\\s*;");
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;");
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.mnemo4j(?:\\s*\\.\\s*\\w+)*");
  private static final List<String> SOURCE_ROOTS = List.of("src/main/java", "src/test/java");

  /** A reference across a wall: {@code file:line} uses {@code pkg}, which is closed to it. */
  record Violation(Path file, int line, String pkg, String owner, String reason) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + pkg + " (module " + owner + ") " + reason;
    }
  }

  /** A reference one module may make although the descriptor does not allow it, and why. */
  record Exemption(String module, String pkg, String reason) {}

  /** What a module's descriptor says: its name and, per exported package, who may read it. */
  record Descriptor(String name, Map<String, Set<String>> exports) {
    /** Whether {@code pkg} is readable from a module named {@code reader} (none: unnamed). */
    boolean exportsTo(String pkg, Optional<String> reader) {
      Set<String> to = exports.get(pkg);
      return to != null && (to.isEmpty() || reader.filter(to::contains).isPresent());
    }
  }

  private record Module(String dir, Optional<Descriptor> descriptor) {}

  private ModuleWalls() {}

  /**
   * Every reference in the reactor under {@code root} that crosses a wall, minus the exemptions.
   */
  static List<Violation> check(Path root, List<Exemption> exemptions) {
    List<Module> modules = new ArrayList<>();
    for (String dir : modules(root)) {
      Path descriptor = root.resolve(dir).resolve("src/main/java/module-info.java");
      modules.add(
          new Module(
              dir,
              Files.exists(descriptor)
                  ? Optional.of(descriptor(code(read(descriptor))))
                  : Optional.empty()));
    }
    // Every package a module's main code declares has that module as its owner; a name resolves
    // to its longest known package, and only a package whose owner has a descriptor is walled.
    Map<String, Module> owners = new HashMap<>();
    Set<String> known = new HashSet<>();
    for (Module m : modules) {
      for (Path file : javaFiles(root.resolve(m.dir()).resolve("src/main/java"))) {
        // A split package stays the walled module's, so that the intruder is reported.
        packageOf(file)
            .ifPresent(p -> owners.merge(p, m, (a, b) -> a.descriptor().isPresent() ? a : b));
      }
      for (String sourceRoot : SOURCE_ROOTS) {
        for (Path file : javaFiles(root.resolve(m.dir()).resolve(sourceRoot))) {
          packageOf(file).ifPresent(known::add);
        }
      }
    }
    List<Violation> violations = new ArrayList<>();
    for (Module m : modules) {
      Optional<String> reader = m.descriptor().map(Descriptor::name);
      for (String sourceRoot : SOURCE_ROOTS) {
        for (Path file : javaFiles(root.resolve(m.dir()).resolve(sourceRoot))) {
          String[] lines = code(read(file)).split("\n", -1);
          for (int i = 0; i < lines.length; i++) {
            Matcher ref = REFERENCE.matcher(lines[i]);
            while (ref.find()) {
              String name = ref.group().replaceAll("\\s+", "");
              Optional<String> pkg = longestPrefix(name, known);
              Module owner = pkg.map(owners::get).orElse(null);
              if (owner == null
                  || owner == m
                  || owner.descriptor().isEmpty()
                  || exempt(exemptions, m.dir(), pkg.get())) {
                continue;
              }
              boolean declares = PACKAGE.matcher(lines[i]).find();
              Descriptor d = owner.descriptor().get();
              if (declares) {
                violations.add(
                    new Violation(
                        root.relativize(file),
                        i + 1,
                        pkg.get(),
                        d.name(),
                        "is split: module " + m.dir() + " declares classes in it"));
              } else if (!d.exportsTo(pkg.get(), reader)) {
                violations.add(
                    new Violation(
                        root.relativize(file),
                        i + 1,
                        pkg.get(),
                        d.name(),
                        "is not exported to " + reader.orElse(m.dir() + " (no module name)")));
              }
            }
          }
        }
      }
    }
    violations.sort(Comparator.comparing(Violation::toString));
    return violations;
  }

  /** The module directories the reactor's {@code pom.xml} lists, in order. */
  static List<String> modules(Path root) {
    Matcher m = MODULE_ENTRY.matcher(code(read(root.resolve("pom.xml"))));
    List<String> dirs = new ArrayList<>();
    while (m.find()) {
      dirs.add(m.group(1));
    }
    return dirs;
  }

  /** The name and exports of a descriptor's source, comments already removed. */
  static Descriptor descriptor(String source) {
    Matcher name = MODULE_NAME.matcher(source);
    if (!name.find()) {
      throw new IllegalArgumentException("no module declaration in descriptor");
    }
    Map<String, Set<String>> exports = new LinkedHashMap<>();
    Matcher e = EXPORTS.matcher(source);
    while (e.find()) {
      Set<String> to = new LinkedHashSet<>();
      if (e.group(2) != null) {
        for (String target : e.group(2).split(",")) {
          to.add(target.strip());
        }
      }
      exports.put(e.group(1), to);
    }
    return new Descriptor(name.group(1), exports);
  }

  /**
   * Java source with comments, string, text-block and char literals blanked out (line breaks kept,
   * so line numbers still hold), so that only code is searched.
   */
  static String code(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
        while (i < n && source.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
        int end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        blank(source, i, end, out);
        i = end;
      } else if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        while (end > 0 && source.charAt(end - 1) == '\\') {
          end = source.indexOf("\"\"\"", end + 1);
        }
        end = end < 0 ? n : end + 3;
        blank(source, i, end, out);
        i = end;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        int end = Math.min(j + 1, n);
        blank(source, i, end, out);
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static void blank(String source, int from, int to, StringBuilder out) {
    for (int k = from; k < to; k++) {
      out.append(source.charAt(k) == '\n' ? '\n' : ' ');
    }
  }

  private static Optional<String> longestPrefix(String name, Set<String> packages) {
    String candidate = name;
    while (true) {
      if (packages.contains(candidate)) {
        return Optional.of(candidate);
      }
      int dot = candidate.lastIndexOf('.');
      if (dot < 0) {
        return Optional.empty();
      }
      candidate = candidate.substring(0, dot);
    }
  }

  private static boolean exempt(List<Exemption> exemptions, String module, String pkg) {
    return exemptions.stream().anyMatch(e -> e.module().equals(module) && e.pkg().equals(pkg));
  }

  private static Optional<String> packageOf(Path file) {
    for (String line : code(read(file)).split("\n")) {
      Matcher m = PACKAGE.matcher(line);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }

  private static List<Path> javaFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(f -> f.toString().endsWith(".java"))
          .filter(f -> !f.getFileName().toString().equals("module-info.java"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The packages each module with a descriptor owns, for the report of what was checked. */
  static Map<String, String> ownedPackages(Path root) {
    Map<String, String> owned = new TreeMap<>();
    for (String dir : modules(root)) {
      Path main = root.resolve(dir).resolve("src/main/java");
      if (Files.exists(main.resolve("module-info.java"))) {
        for (Path file : javaFiles(main)) {
          packageOf(file).ifPresent(p -> owned.put(p, dir));
        }
      }
    }
    return owned;
  }
}
