package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU image's files (docker/): the compose file's services, GPU reservation, volumes and
 * loopback ports; the Dockerfile's CUDA base and PyTorch version/flavor, tied to pom.xml and to the
 * DJL jars on this class path so they cannot drift; and DJL's native-library choice that the
 * Dockerfile relies on (the CPU native jar must go for PYTORCH_FLAVOR to count). No Docker engine
 * here: nothing is built or started.
 */
class DockerFilesTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path HOME = projectHome();
  private static final Path DOCKERFILE = HOME.resolve("docker/Dockerfile");
  private static final Path COMPOSE = HOME.resolve("docker/docker-compose.yml");
  private static final Pattern CUDA_BASE =
      Pattern.compile("nvidia/cuda:(\\d+)\\.(\\d+)\\.\\d+-cudnn-runtime-ubuntu24\\.04");
  private static final Pattern DEFAULTED_VAR = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)}");

  @TempDir Path tmp;

  // ---- Dockerfile against pom.xml and the DJL jars --------------------------------------------

  @Test
  void runtimeBaseIsCuda128AndTheFlavorIsItsCuda() throws IOException {
    Dockerfile df = Dockerfile.read(DOCKERFILE);
    assertEquals(2, df.from().size(), "a build stage and a runtime stage: " + df.from());
    assertTrue(df.from().get(0).startsWith("maven:") && df.from().get(0).contains("temurin-21"),
        "build stage on Maven with Temurin 21: " + df.from().get(0));
    Matcher m = CUDA_BASE.matcher(df.from().get(1));
    assertTrue(m.matches(), "runtime stage on a CUDA 12.8 cuDNN runtime image: " + df.from().get(1));
    assertEquals("12", m.group(1));
    assertEquals("8", m.group(2));
    // DJL names CUDA builds cu<major><minor>: the flavor must be the base image's CUDA.
    assertEquals("cu" + m.group(1) + m.group(2), df.globalArgs().get("PYTORCH_FLAVOR"));
  }

  @Test
  void pytorchVersionIsThePomsAndTheRuntimeRunsOffline() throws Exception {
    Dockerfile df = Dockerfile.read(DOCKERFILE);
    assertEquals(pomProperty("pytorch.version"), df.globalArgs().get("PYTORCH_VERSION"));
    Map<String, String> env = df.runtimeEnv();
    assertEquals("${PYTORCH_VERSION}", env.get("PYTORCH_VERSION"));
    assertEquals("${PYTORCH_FLAVOR}", env.get("PYTORCH_FLAVOR"));
    assertEquals("true", env.get("DJL_OFFLINE"));
    assertEquals("/opt/java/openjdk", env.get("JAVA_HOME"));
    assertNotNull(env.get("DJL_CACHE_DIR"));
    assertTrue(df.text().contains("COPY --from=eclipse-temurin:21-jdk"), "a Temurin 21 JDK (not a JRE)");
    // the only online step is the warm-up, which fetches the flavor's native build
    String warmup = df.runs().stream().filter(r -> r.contains("DjlWarmup.java")).findFirst().orElseThrow();
    assertTrue(warmup.contains("DJL_OFFLINE=false"), warmup);
    assertTrue(warmup.contains("$PYTORCH_VERSION-$PYTORCH_FLAVOR-linux-x86_64"), warmup);
    assertTrue(Files.isRegularFile(HOME.resolve("docker/DjlWarmup.java")));
  }

  @Test
  void djlJarsOnTheClassPathHaveTheFlavorsJni() throws Exception {
    String flavor = Dockerfile.read(DOCKERFILE).globalArgs().get("PYTORCH_FLAVOR");
    // pytorch-jni ships one libdjl_torch per flavor; the CUDA one must be there for the image's flavor
    assertNotNull(getClass().getResource("/jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so"),
        "pytorch-jni has no " + flavor + " JNI for linux-x86_64");
    Properties jni = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/jnilib/pytorch.properties")) {
      jni.load(in);
    }
    assertEquals(pomProperty("pytorch.version") + "-" + pomProperty("djl.version"),
        jni.getProperty("jni_version"));
  }

  @Test
  void buildDropsExactlyTheCpuNativeJar() throws Exception {
    Dockerfile df = Dockerfile.read(DOCKERFILE);
    Matcher rm = Pattern.compile("rm (/dist/cli/target/lib/)(\\S+)").matcher(df.text());
    assertTrue(rm.find(), "the build stage removes the CPU native jar");
    // copy-dependencies names jars as the local repository does: the glob must match the real jar
    PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + rm.group(2));
    List<String> matched = classPath().stream().map(p -> p.getFileName().toString())
        .filter(n -> glob.matches(Path.of(n))).toList();
    assertEquals(1, matched.size(), "jars matching " + rm.group(2) + ": " + matched);
    assertTrue(matched.get(0).startsWith("pytorch-native-cpu-" + pomProperty("pytorch.version")));
    String ignore = Files.readString(HOME.resolve(".dockerignore"));
    assertTrue(ignore.lines().anyMatch("**/target"::equals), "build outputs stay out of the context");
    assertTrue(ignore.lines().anyMatch(".git"::equals));
  }

  // ---- DJL's choice of native library, which the Dockerfile relies on ------------------------

  @Test
  void withTheCpuJarOnTheClassPathDjlIgnoresTheFlavor() throws Exception {
    Dockerfile df = Dockerfile.read(DOCKERFILE);
    String flavor = df.globalArgs().get("PYTORCH_FLAVOR");
    Warmup w = warmup(classPath(), flavor, df.globalArgs().get("PYTORCH_VERSION"), null);
    // DjlWarmup loads the CPU libtorch, then refuses it: the image's build would stop here
    assertEquals(1, w.code(), w.output());
    assertTrue(w.output().contains("asked for PYTORCH_FLAVOR=" + flavor + " but DJL loaded"), w.output());
    assertTrue(w.output().contains("-cpu-linux-x86_64"), w.output());
  }

  @Test
  void withoutTheCpuJarDjlFetchesTheFlavorAndOfflineRefuses() throws Exception {
    Dockerfile df = Dockerfile.read(DOCKERFILE);
    String flavor = df.globalArgs().get("PYTORCH_FLAVOR");
    List<Path> cp = classPath().stream()
        .filter(p -> !p.getFileName().toString().startsWith("pytorch-native-cpu-")).toList();
    Path cache = Files.createDirectories(tmp.resolve("djl-cache"));
    Warmup w = warmup(cp, flavor, df.globalArgs().get("PYTORCH_VERSION"), cache);
    assertNotEquals(0, w.code(), w.output());
    assertTrue(w.output().contains("Uses override PYTORCH_FLAVOR: " + flavor), w.output());
    assertTrue(w.output().contains("Offline mode is enabled"), w.output());
    try (Stream<Path> files = Files.walk(cache)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("libtorch")),
          "nothing was downloaded");
    }
  }

  // ---- docker-compose.yml -------------------------------------------------------------------

  @Test
  void composeHasJupyterLabWithTheGpuAndMlflowIncluded() throws IOException {
    JsonNode compose = YAML.readTree(COMPOSE.toFile());
    JsonNode included = includedMlflow(compose);
    Set<String> services = new HashSet<>();
    compose.get("services").fieldNames().forEachRemaining(services::add);
    included.get("services").fieldNames().forEachRemaining(services::add);
    assertEquals(Set.of("jupyterlab", "mlflow", "postgres"), services);

    JsonNode lab = compose.at("/services/jupyterlab");
    Path context = COMPOSE.getParent().resolve(lab.at("/build/context").asText()).normalize();
    assertEquals(HOME.normalize(), context, "the build context is the repository root");
    assertEquals(DOCKERFILE, context.resolve(lab.at("/build/dockerfile").asText()));
    assertEquals("mlflow", lab.at("/depends_on/0").asText());

    JsonNode devices = lab.at("/deploy/resources/reservations/devices");
    assertEquals(1, devices.size());
    assertEquals("nvidia", devices.at("/0/driver").asText());
    assertEquals("all", devices.at("/0/count").asText());
    assertEquals("gpu", devices.at("/0/capabilities/0").asText());
  }

  @Test
  void composeVolumesAreDeclaredAndMountedWhereTheImageMadeThem() throws IOException {
    JsonNode compose = YAML.readTree(COMPOSE.toFile());
    // folders the runtime stage makes (and gives its user): a new named volume copies that owner
    Set<String> made = Dockerfile.read(DOCKERFILE).runs().stream()
        .filter(r -> r.contains("mkdir -p"))
        .flatMap(r -> Arrays.stream(r.split("\\s+")))
        .collect(Collectors.toSet());
    Map<String, String> mounts = new LinkedHashMap<>();
    for (JsonNode v : compose.at("/services/jupyterlab/volumes")) {
      String[] parts = defaults(v.asText()).split(":");
      assertEquals(2, parts.length, v.asText());
      mounts.put(parts[0], parts[1]);
    }
    Set<String> declared = new HashSet<>();
    compose.get("volumes").fieldNames().forEachRemaining(declared::add);
    assertEquals(Set.of("data", "runs", "checkpoints", "mlruns"), declared);
    assertEquals(declared, mounts.keySet(), "every declared volume is mounted, by name when unset");
    for (Map.Entry<String, String> e : mounts.entrySet()) {
      assertEquals("/opt/maskprop/" + e.getKey(), e.getValue());
      assertTrue(made.contains(e.getValue()), "the Dockerfile makes " + e.getValue());
    }
  }

  @Test
  void composePortsAreLoopbackAndTheTrackingUriIsTheServers() throws IOException {
    JsonNode compose = YAML.readTree(COMPOSE.toFile());
    JsonNode mlflow = includedMlflow(compose).at("/services/mlflow");
    List<String> published = new ArrayList<>();
    compose.at("/services/jupyterlab/ports").forEach(p -> published.add(p.asText()));
    mlflow.at("/ports").forEach(p -> published.add(p.asText()));
    assertEquals(List.of("127.0.0.1:8888:8888", "127.0.0.1:5000:5000"), published);
    assertTrue(includedMlflow(compose).at("/services/postgres/ports").isMissingNode(),
        "PostgreSQL is not published");

    JsonNode env = compose.at("/services/jupyterlab/environment");
    assertEquals("true", env.get("DJL_OFFLINE").asText());
    String port = null;
    for (JsonNode arg : mlflow.get("command")) {
      if (arg.asText().startsWith("--port=")) {
        port = arg.asText().substring("--port=".length());
      }
    }
    assertEquals("http://mlflow:" + port, env.get("MLFLOW_TRACKING_URI").asText());
    // the image's PyTorch choice stays in the Dockerfile: compose must not contradict it
    assertTrue(env.get("PYTORCH_FLAVOR") == null && env.get("PYTORCH_VERSION") == null, env.toString());
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static JsonNode includedMlflow(JsonNode compose) throws IOException {
    JsonNode include = compose.get("include");
    assertNotNull(include, "docker-compose.yml includes the MLflow compose file");
    assertEquals(1, include.size());
    Path file = COMPOSE.getParent().resolve(include.get(0).asText()).normalize();
    assertEquals(HOME.resolve("mlflow/docker-compose.yml"), file);
    return YAML.readTree(file.toFile());
  }

  /** Compose's {@code ${VAR:-default}} with VAR unset. */
  private static String defaults(String s) {
    return DEFAULTED_VAR.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
  }

  private static String pomProperty(String name) throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(false);
    var doc = factory.newDocumentBuilder().parse(HOME.resolve("pom.xml").toFile());
    var nodes = doc.getElementsByTagName(name);
    assertEquals(1, nodes.getLength(), name + " in pom.xml");
    return nodes.item(0).getTextContent().trim();
  }

  private static List<Path> classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.isBlank()).map(Path::of).toList();
  }

  private record Warmup(int code, String output) {}

  /** Runs docker/DjlWarmup.java (source launch) in a fresh JVM, offline, with DJL's variables. */
  private static Warmup warmup(List<Path> cp, String flavor, String version, Path cacheDir)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dai.djl.offline=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-cp", cp.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        HOME.resolve("docker/DjlWarmup.java").toString())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PYTORCH_") || k.equals("ENGINE_CACHE_DIR"));
    env.put("DJL_OFFLINE", "true"); // never a download from a test
    env.put("PYTORCH_FLAVOR", flavor);
    env.put("PYTORCH_VERSION", version);
    if (cacheDir != null) {
      env.put("DJL_CACHE_DIR", cacheDir.toString());
    }
    Path log = Files.createTempFile("djl-warmup", ".log");
    try {
      Process p = pb.redirectOutput(log.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("DjlWarmup did not end in 120 s: " + Files.readString(log));
      }
      return new Warmup(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** The checkout's root: the first ancestor of the working directory with docker/Dockerfile. */
  private static Path projectHome() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker/Dockerfile"))
          && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("docker/Dockerfile not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * The Dockerfile's instructions (continuation lines joined, comments dropped): the ARGs before the
   * first FROM, each stage's base image, the RUN commands, and the final stage's ENV.
   */
  private record Dockerfile(String text, Map<String, String> globalArgs, List<String> from,
      List<String> runs, Map<String, String> runtimeEnv) {
    static Dockerfile read(Path file) throws IOException {
      String text = Files.readString(file);
      List<String> instructions = new ArrayList<>();
      StringBuilder cur = new StringBuilder();
      for (String line : text.split("\n", -1)) {
        String t = line.strip();
        if (cur.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
          continue;
        }
        if (t.startsWith("#")) {
          continue; // a comment inside a continued instruction
        }
        if (t.endsWith("\\")) {
          cur.append(t, 0, t.length() - 1).append(' ');
        } else {
          instructions.add(cur.append(t).toString().strip());
          cur.setLength(0);
        }
      }
      Map<String, String> args = new LinkedHashMap<>();
      List<String> from = new ArrayList<>();
      List<String> runs = new ArrayList<>();
      Map<String, String> env = new LinkedHashMap<>();
      for (String ins : instructions) {
        String[] kw = ins.split("\\s+", 2);
        switch (kw[0]) {
          case "ARG" -> {
            if (from.isEmpty() && kw[1].contains("=")) {
              int eq = kw[1].indexOf('=');
              args.put(kw[1].substring(0, eq), kw[1].substring(eq + 1));
            }
          }
          case "FROM" -> {
            from.add(kw[1].split("\\s+")[0]);
            env.clear(); // ENV of the final stage only
          }
          case "RUN" -> runs.add(kw[1]);
          case "ENV" -> {
            for (String pair : kw[1].split("\\s+")) {
              int eq = pair.indexOf('=');
              assertTrue(eq > 0, "ENV in key=value form: " + ins);
              env.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
          }
          default -> { }
        }
      }
      return new Dockerfile(text, args, from, runs, env);
    }
  }
}
