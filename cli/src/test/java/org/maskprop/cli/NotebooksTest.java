package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Executes every notebook in {@code notebooks/} headless, as DESIGN.md §7 asks of the test suite: one
 * dynamic test per notebook runs {@code bin/run-notebooks NAME} with {@code SMOKE=1} and fails on any cell
 * error (the script retries only kernel start-ups, never cells). Also checks that the committed notebooks
 * carry no outputs and name the project's kernel.
 *
 * <p>The cells need the project's classes. At the cli module's test phase {@code cli/target/lib} does not
 * exist yet (Maven copies it at package), so the kernel gets this JVM's class path instead: Surefire puts
 * the reactor modules' {@code target/classes} and every dependency jar from the local repository there.
 *
 * <p>Needs Debian's {@code /usr/bin/jupyter nbconvert} ({@code bin/install-deps}); skip with
 * {@code -Dmaskprop.notebooks.skip=true}.
 */
class NotebooksTest {

  /** Longest a notebook may take in smoke mode, start-up retries included. */
  private static final long NOTEBOOK_TIMEOUT_MINUTES = 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> everyNotebookRunsWithoutCellErrors() throws IOException {
    Assumptions.assumeFalse(Boolean.getBoolean("maskprop.notebooks.skip"), "maskprop.notebooks.skip=true");
    Path home = projectHome();
    String classPath = kernelClassPath();
    Path out = Path.of("target", "notebooks").toAbsolutePath();
    return notebooks(home).stream()
        .map(nb -> dynamicTest(nb.getFileName().toString(), () -> execute(home, nb, classPath, out)));
  }

  @TestFactory
  Stream<DynamicTest> committedNotebooksHaveNoOutputsAndUseTheProjectKernel() throws IOException {
    return notebooks(projectHome()).stream().map(nb -> dynamicTest(nb.getFileName().toString(), () -> {
      JsonNode root = JSON.readTree(nb.toFile());
      assertEquals("maskprop-java", root.at("/metadata/kernelspec/name").asText(),
          nb + ": metadata.kernelspec.name");
      int index = 0;
      for (JsonNode cell : root.get("cells")) {
        if ("code".equals(cell.path("cell_type").asText())) {
          assertTrue(cell.path("outputs").isEmpty() && cell.path("execution_count").isNull(),
              nb + ": code cell " + index + " has outputs; commit notebooks with outputs cleared");
        }
        index++;
      }
    }));
  }

  private static void execute(Path home, Path notebook, String classPath, Path out)
      throws IOException, InterruptedException {
    Files.createDirectories(out);
    String name = notebook.getFileName().toString().replaceFirst("\\.ipynb$", "");
    Path log = out.resolve(name + ".run.log");
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/run-notebooks").toString(), name)
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SMOKE", "1");
    pb.environment().put("MASKPROP_NOTEBOOK_CLASSPATH", classPath);
    pb.environment().put("MASKPROP_NOTEBOOK_OUT", out.toString());
    Process process = pb.start();
    if (!process.waitFor(NOTEBOOK_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      fail(notebook + " did not finish in " + NOTEBOOK_TIMEOUT_MINUTES + " minutes; log: " + log);
    }
    if (process.exitValue() != 0) {
      fail("bin/run-notebooks " + name + " exited " + process.exitValue() + ":\n" + Files.readString(log));
    }
    assertTrue(Files.isRegularFile(out.resolve(name + ".ipynb")), "no executed copy in " + out);
  }

  private static List<Path> notebooks(Path home) throws IOException {
    List<Path> notebooks;
    try (Stream<Path> files = Files.list(home.resolve("notebooks"))) {
      notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertFalse(notebooks.isEmpty(), "no notebooks in " + home.resolve("notebooks"));
    return notebooks;
  }

  /** The checkout's root: the first ancestor of the working directory that has bin/run-notebooks. */
  private static Path projectHome() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isExecutable(dir.resolve("bin/run-notebooks"))) {
        return dir;
      }
    }
    throw new IllegalStateException("bin/run-notebooks not found above " + Path.of("").toAbsolutePath());
  }

  /** This JVM's class path without the test framework and this module's test classes. */
  private static String kernelClassPath() {
    String entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.isBlank())
        .filter(e -> {
          String name = Path.of(e).getFileName().toString();
          return !(name.startsWith("surefire") || name.startsWith("junit-") || name.startsWith("opentest4j")
              || name.startsWith("apiguardian") || name.equals("test-classes"));
        })
        .collect(Collectors.joining(File.pathSeparator));
    assertTrue(entries.contains("classes") || entries.contains("maskprop"),
        "the test class path holds no project classes: " + entries);
    return entries;
  }
}
