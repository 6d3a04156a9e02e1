package org.maskprop.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An HTTP test double of an MLflow 2.17.2 tracking server with the artifact proxy on
 * ({@code --serve-artifacts}), on loopback. It records every request and answers the endpoints our
 * tracker uses, plus those of the recorded transcript, with the JSON shapes and error bodies a real
 * 2.17.2 server gives (rest-transcript-2.17.2.txt; {@code MlflowServerDoubleTest} replays it).
 * Like the real server (protobuf JSON parsing) it accepts int64 fields as numbers or strings.
 */
final class MlflowServerDouble implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** One request as received: path without query, decoded query string, raw body. */
  record Request(String method, String path, String query, String body, byte[] bytes) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + body, e);
      }
    }

    @Override
    public String toString() {
      return method + " " + path + (query == null ? "" : "?" + query) + (body.isEmpty() ? "" : " " + body);
    }
  }

  private static final class Experiment {
    String id;
    String name;
    String artifactLocation;
    long created;
    final Map<String, String> tags = new LinkedHashMap<>();
  }

  private static final class Run {
    String runId;
    String experimentId;
    String runName;
    String userId;
    String status = "RUNNING";
    long startTime;
    Long endTime;
    String artifactUri;
    final Map<String, ObjectNode> latest = new LinkedHashMap<>();
    final Map<String, List<ObjectNode>> history = new LinkedHashMap<>();
    final Map<String, String> params = new LinkedHashMap<>();
    final Map<String, String> tags = new LinkedHashMap<>();
  }

  private final HttpServer server;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Integer> failures = new ArrayDeque<>();
  private final Map<String, Experiment> experiments = new LinkedHashMap<>();
  private final Map<String, Run> runs = new LinkedHashMap<>();
  private final Map<String, byte[]> artifacts = new TreeMap<>();
  private int nextExperimentId = 1;
  private String artifactRoot = "mlflow-artifacts:";
  private volatile String refuseLogBatch;

  private MlflowServerDouble(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/", this::handle);
    server.start();
    Experiment d = new Experiment();
    d.id = "0";
    d.name = "Default";
    d.artifactLocation = artifactRoot + "/0";
    d.created = 1795607470872L;
    experiments.put("0", d);
  }

  /** A double on a free loopback port. */
  static MlflowServerDouble start() throws IOException {
    return new MlflowServerDouble(0);
  }

  /** A double on a given port (to come up after a client has started talking to it). */
  static MlflowServerDouble start(int port) throws IOException {
    return new MlflowServerDouble(port);
  }

  /** A free loopback port nobody listens on (yet). */
  static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The next {@code n} requests get {@code status} (503: an overloaded or restarting server). */
  synchronized void failNext(int n, int status) {
    for (int i = 0; i < n; i++) {
      failures.add(status);
    }
  }

  /** Experiments created from now on store artifacts under this URI prefix (e.g. s3://bucket/x). */
  synchronized void artifactRoot(String root) {
    artifactRoot = root;
  }

  /** log-batch requests containing a param with this key get 400 INVALID_PARAMETER_VALUE. */
  void refuseLogBatchWithParam(String key) {
    refuseLogBatch = key;
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  synchronized byte[] artifact(String path) {
    return artifacts.get(path);
  }

  synchronized Map<String, String> params(String runId) {
    return Map.copyOf(runs.get(runId).params);
  }

  synchronized Map<String, String> tags(String runId) {
    return Map.copyOf(runs.get(runId).tags);
  }

  synchronized List<String> runIds() {
    return List.copyOf(runs.keySet());
  }

  synchronized List<JsonNode> history(String runId, String key) {
    return List.copyOf(runs.get(runId).history.getOrDefault(key, List.of()));
  }

  synchronized String status(String runId) {
    return runs.get(runId).status;
  }

  /** Puts an experiment and a run in place as the transcript's server had them before its first request. */
  synchronized void seed(String expId, String expName, long created, String runId, String runName, String user,
      long start, Map<String, String> tags) {
    Experiment e = new Experiment();
    e.id = expId;
    e.name = expName;
    e.artifactLocation = artifactRoot + "/" + expId;
    e.created = created;
    experiments.put(expId, e);
    nextExperimentId = Integer.parseInt(expId) + 1;
    Run r = new Run();
    r.runId = runId;
    r.experimentId = expId;
    r.runName = runName;
    r.userId = user;
    r.startTime = start;
    r.artifactUri = e.artifactLocation + "/" + runId + "/artifacts";
    r.tags.putAll(tags);
    runs.put(runId, r);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---- HTTP ----

  private void handle(HttpExchange ex) throws IOException {
    byte[] raw = ex.getRequestBody().readAllBytes();
    String body = new String(raw, StandardCharsets.UTF_8);
    String rawQuery = ex.getRequestURI().getRawQuery();
    Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
        rawQuery == null ? null : URLDecoder.decode(rawQuery, StandardCharsets.UTF_8), body, raw);
    requests.add(req);
    Integer fail;
    synchronized (this) {
      fail = failures.poll();
    }
    if (fail != null) {
      send(ex, fail, "<html><body>" + fail + " Service Unavailable</body></html>", "text/html");
      return;
    }
    Answer a;
    try {
      synchronized (this) {
        a = answer(req, ex.getRequestURI().getRawQuery());
      }
    } catch (RuntimeException e) {
      a = error(500, "INTERNAL_ERROR", e.toString());
    }
    send(ex, a.status, a.body, a.contentType);
  }

  private record Answer(int status, String body, String contentType) {}

  private static void send(HttpExchange ex, int status, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Answer ok(JsonNode n) {
    try {
      return new Answer(200, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n), "application/json");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** MLflow's error body: {"error_code": ..., "message": ...}. */
  private static Answer error(int status, String code, String message) {
    ObjectNode n = F.objectNode();
    n.put("error_code", code);
    n.put("message", message);
    return new Answer(status, n.toString(), "application/json");
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> q = new LinkedHashMap<>();
    if (rawQuery != null) {
      for (String kv : rawQuery.split("&")) {
        int eq = kv.indexOf('=');
        q.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private static final String API = "/api/2.0/mlflow/";
  private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

  private Answer answer(Request req, String rawQuery) {
    Map<String, String> q = query(rawQuery);
    String m = req.method();
    String p = req.path();
    if (p.startsWith(ARTIFACTS)) {
      return artifactsEndpoint(m, p, q, req);
    }
    if (!p.startsWith(API)) {
      return error(404, "ENDPOINT_NOT_FOUND", "No API endpoint found for " + p);
    }
    String ep = m + " " + p.substring(API.length());
    JsonNode b = "POST".equals(m) ? req.json() : F.objectNode();
    switch (ep) {
      case "GET experiments/get-by-name": {
        String name = q.get("experiment_name");
        for (Experiment e : experiments.values()) {
          if (e.name.equals(name)) {
            return ok(F.objectNode().set("experiment", experimentJson(e)));
          }
        }
        return error(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name '" + name + "'");
      }
      case "GET experiments/get": {
        Experiment e = experiments.get(q.get("experiment_id"));
        return e == null
            ? error(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + q.get("experiment_id") + " exists")
            : ok(F.objectNode().set("experiment", experimentJson(e)));
      }
      case "POST experiments/create": {
        String name = b.path("name").asText();
        for (Experiment e : experiments.values()) {
          if (e.name.equals(name)) {
            return error(400, "RESOURCE_ALREADY_EXISTS", "Experiment(name=" + name + ") already exists.");
          }
        }
        Experiment e = new Experiment();
        e.id = Integer.toString(nextExperimentId++);
        e.name = name;
        e.artifactLocation = artifactRoot + "/" + e.id;
        e.created = System.currentTimeMillis();
        experiments.put(e.id, e);
        return ok(F.objectNode().put("experiment_id", e.id));
      }
      case "POST experiments/search": {
        List<Experiment> all = new ArrayList<>(experiments.values());
        if (b.has("filter")) {
          java.util.regex.Matcher fm = java.util.regex.Pattern.compile("^name\\s*=\\s*(['\"])(.*)\\1$")
              .matcher(b.path("filter").asText().strip());
          if (!fm.matches()) {
            return error(400, "INVALID_PARAMETER_VALUE", "test double understands only name = '...' filters");
          }
          all.removeIf(e -> !e.name.equals(fm.group(2)));
        }
        all.sort((x, y) -> x.created != y.created ? Long.compare(y.created, x.created) : x.id.compareTo(y.id));
        ArrayNode arr = F.arrayNode();
        long max = b.path("max_results").asLong(1000);
        all.stream().limit(max).forEach(e -> arr.add(experimentJson(e)));
        return ok(F.objectNode().set("experiments", arr));
      }
      case "POST runs/create": {
        Experiment e = experiments.get(b.path("experiment_id").asText());
        if (e == null) {
          return error(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + b.path("experiment_id").asText()
              + " exists");
        }
        Run r = new Run();
        r.runId = UUID.randomUUID().toString().replace("-", "");
        r.experimentId = e.id;
        r.userId = b.path("user_id").asText("");
        r.startTime = b.path("start_time").asLong();
        r.artifactUri = e.artifactLocation + "/" + r.runId + "/artifacts";
        for (JsonNode t : b.path("tags")) {
          r.tags.put(t.path("key").asText(), t.path("value").asText());
        }
        r.runName = b.path("run_name").asText(r.tags.getOrDefault("mlflow.runName", "generated-name"));
        r.tags.putIfAbsent("mlflow.runName", r.runName);
        runs.put(r.runId, r);
        ObjectNode run = runJson(r);
        ((ObjectNode) run.get("data")).remove(List.of("metrics", "params"));
        return ok(F.objectNode().set("run", run));
      }
      case "GET runs/get": {
        Run r = runs.get(q.get("run_id"));
        return r == null ? noRun(q.get("run_id")) : ok(F.objectNode().set("run", runJson(r)));
      }
      case "GET metrics/get-history": {
        Run r = runs.get(q.get("run_id"));
        if (r == null) {
          return noRun(q.get("run_id"));
        }
        ArrayNode arr = F.arrayNode();
        r.history.getOrDefault(q.get("metric_key"), List.of()).forEach(arr::add);
        return ok(F.objectNode().set("metrics", arr));
      }
      case "POST runs/log-metric": {
        Run r = runs.get(b.path("run_id").asText());
        if (r == null) {
          return noRun(b.path("run_id").asText());
        }
        addMetric(r, b);
        return ok(F.objectNode());
      }
      case "POST runs/log-parameter": {
        Run r = runs.get(b.path("run_id").asText());
        if (r == null) {
          return noRun(b.path("run_id").asText());
        }
        Answer refused = addParam(r, b.path("key").asText(), b.path("value").asText());
        return refused != null ? refused : ok(F.objectNode());
      }
      case "POST runs/set-tag": {
        Run r = runs.get(b.path("run_id").asText());
        if (r == null) {
          return noRun(b.path("run_id").asText());
        }
        r.tags.put(b.path("key").asText(), b.path("value").asText());
        return ok(F.objectNode());
      }
      case "POST runs/log-batch": {
        Run r = runs.get(b.path("run_id").asText());
        if (r == null) {
          return noRun(b.path("run_id").asText());
        }
        int nm = b.path("metrics").size();
        int np = b.path("params").size();
        int nt = b.path("tags").size();
        if (nm > 1000 || np > 100 || nt > 100 || nm + np + nt > 1000) {
          String what = nm > 1000 ? "metrics" : np > 100 ? "params" : nt > 100 ? "tags" : "metrics, params, and tags";
          int limit = nm > 1000 ? 1000 : np > 100 ? 100 : nt > 100 ? 100 : 1000;
          int got = nm > 1000 ? nm : np > 100 ? np : nt > 100 ? nt : nm + np + nt;
          return error(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most " + limit + " "
              + what + ". Got " + got + " " + what + ". Please split up " + what
              + " across multiple requests and try again.");
        }
        for (JsonNode prm : b.path("params")) {
          if (prm.path("key").asText().equals(refuseLogBatch)) {
            return error(400, "INVALID_PARAMETER_VALUE", "Param '" + refuseLogBatch + "' refused by test double");
          }
        }
        for (JsonNode prm : b.path("params")) {
          Answer refused = addParam(r, prm.path("key").asText(), prm.path("value").asText());
          if (refused != null) {
            return refused;
          }
        }
        for (JsonNode met : b.path("metrics")) {
          addMetric(r, met);
        }
        for (JsonNode t : b.path("tags")) {
          r.tags.put(t.path("key").asText(), t.path("value").asText());
        }
        return ok(F.objectNode());
      }
      case "POST runs/update": {
        Run r = runs.get(b.path("run_id").asText());
        if (r == null) {
          return noRun(b.path("run_id").asText());
        }
        if (b.has("status")) {
          r.status = b.path("status").asText();
        }
        if (b.has("end_time")) {
          r.endTime = b.path("end_time").asLong();
        }
        return ok(F.objectNode().set("run_info", runInfoJson(r)));
      }
      default:
        return error(404, "ENDPOINT_NOT_FOUND", "No API endpoint found for " + m + " " + p);
    }
  }

  private Answer artifactsEndpoint(String m, String p, Map<String, String> q, Request req) {
    String rel = p.length() > ARTIFACTS.length() ? URLDecoder.decode(p.substring(ARTIFACTS.length() + 1),
        StandardCharsets.UTF_8) : "";
    if ("PUT".equals(m)) {
      artifacts.put(rel, req.bytes());
      return ok(F.objectNode());
    }
    if ("GET".equals(m) && rel.isEmpty()) {
      String dir = q.getOrDefault("path", "");
      ArrayNode files = F.arrayNode();
      for (Map.Entry<String, byte[]> a : artifacts.entrySet()) {
        if (a.getKey().startsWith(dir + "/") && a.getKey().indexOf('/', dir.length() + 1) < 0) {
          files.add(F.objectNode().put("path", a.getKey().substring(dir.length() + 1)).put("is_dir", false)
              .put("file_size", a.getValue().length));
        }
      }
      return ok(F.objectNode().set("files", files));
    }
    if ("GET".equals(m) && artifacts.containsKey(rel)) {
      return new Answer(200, new String(artifacts.get(rel), StandardCharsets.UTF_8), "text/plain");
    }
    return error(404, "RESOURCE_DOES_NOT_EXIST", "File " + rel + " not found");
  }

  private static Answer noRun(String id) {
    return error(404, "RESOURCE_DOES_NOT_EXIST", "Run with id=" + id + " not found");
  }

  private static Answer addParam(Run r, String key, String value) {
    String prev = r.params.get(key);
    if (prev != null && !prev.equals(value)) {
      return error(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed. Param with key='" + key
          + "' was already logged with value='" + prev + "' for run ID='" + r.runId + "'. Attempted logging new"
          + " value '" + value + "'.");
    }
    r.params.put(key, value);
    return null;
  }

  private static void addMetric(Run r, JsonNode b) {
    ObjectNode m = F.objectNode();
    m.put("key", b.path("key").asText());
    m.put("value", b.path("value").asDouble());
    m.put("timestamp", b.path("timestamp").asLong());
    m.put("step", b.path("step").asLong(0));
    r.history.computeIfAbsent(m.get("key").asText(), k -> new ArrayList<>()).add(m);
    ObjectNode prev = r.latest.get(m.get("key").asText());
    if (prev == null || m.get("step").asLong() > prev.get("step").asLong()
        || m.get("step").asLong() == prev.get("step").asLong()
        && m.get("timestamp").asLong() >= prev.get("timestamp").asLong()) {
      r.latest.put(m.get("key").asText(), m);
    }
  }

  private static ObjectNode experimentJson(Experiment e) {
    ObjectNode n = F.objectNode();
    n.put("experiment_id", e.id);
    n.put("name", e.name);
    n.put("artifact_location", e.artifactLocation);
    n.put("lifecycle_stage", "active");
    n.put("last_update_time", e.created);
    n.put("creation_time", e.created);
    if (!e.tags.isEmpty()) {
      ArrayNode tags = n.putArray("tags");
      e.tags.forEach((k, v) -> tags.add(F.objectNode().put("key", k).put("value", v)));
    }
    return n;
  }

  private static ObjectNode runInfoJson(Run r) {
    ObjectNode n = F.objectNode();
    n.put("run_uuid", r.runId);
    n.put("experiment_id", r.experimentId);
    n.put("run_name", r.runName);
    n.put("user_id", r.userId);
    n.put("status", r.status);
    n.put("start_time", r.startTime);
    if (r.endTime != null) {
      n.put("end_time", r.endTime);
    }
    n.put("artifact_uri", r.artifactUri);
    n.put("lifecycle_stage", "active");
    n.put("run_id", r.runId);
    return n;
  }

  private static ObjectNode runJson(Run r) {
    ObjectNode run = F.objectNode();
    run.set("info", runInfoJson(r));
    ObjectNode data = run.putObject("data");
    if (!r.latest.isEmpty()) {
      ArrayNode a = data.putArray("metrics");
      r.latest.values().forEach(a::add);
    }
    if (!r.params.isEmpty()) {
      ArrayNode a = data.putArray("params");
      r.params.forEach((k, v) -> a.add(F.objectNode().put("key", k).put("value", v)));
    }
    if (!r.tags.isEmpty()) {
      ArrayNode a = data.putArray("tags");
      r.tags.forEach((k, v) -> a.add(F.objectNode().put("key", k).put("value", v)));
    }
    run.putObject("inputs");
    return run;
  }
}
