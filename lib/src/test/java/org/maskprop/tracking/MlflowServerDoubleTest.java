package org.maskprop.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test double answers the transcript's requests exactly as the real MLflow 2.17.2 server did
 * (JSON compared as trees, numbers by value), so the tracker tests talk to something that behaves
 * like the server for every endpoint they use.
 */
class MlflowServerDoubleTest {
  private static final String RUN = "400d04be8181436c8d8856d159e0a787";

  @Test
  void answersTheTranscriptAsTheRealServerDid() throws Exception {
    List<RestTranscript.Exchange> exchanges = RestTranscript.read(Fixtures.restTranscript());
    assertEquals(17, exchanges.size());
    // Endpoints our tracker never calls and the double does not model.
    List<String> skipped = List.of("/api/2.0/mlflow/runs/search", "/api/2.0/mlflow/artifacts/list", "/get-artifact");
    HttpClient http = HttpClient.newHttpClient();
    List<String> replayed = new ArrayList<>();
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      // State of the transcript's server before its first request (visible in its runs/get answer).
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put("t", "v");
      tags.put("mlflow.runName", "r1");
      d.seed("1", "probe-219", 1795607485699L, RUN, "r1", "", 1700000000000L, tags);
      for (RestTranscript.Exchange x : exchanges) {
        if (skipped.contains(x.path())) {
          continue;
        }
        // The transcript does not print upload bodies; the file's content is in the download answer.
        String body = x.method().equals("PUT") ? "hello artifact\n" : x.body();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(d.uri() + x.pathAndQuery()));
        req.method(x.method(), body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        String what = x.method() + " " + x.pathAndQuery();
        assertEquals(x.status(), resp.statusCode(), what);
        if (x.answer().strip().startsWith("{")) {
          assertEquals(RestTranscript.canon(MlflowServerDouble.JSON.readTree(x.answer())),
              RestTranscript.canon(MlflowServerDouble.JSON.readTree(resp.body())), what);
        } else {
          assertEquals(x.answer().strip(), resp.body().strip(), what);
        }
        replayed.add(what);
      }
    }
    assertEquals(14, replayed.size());
  }
}
