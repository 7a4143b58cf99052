package dev.gengate.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gengate.EmbeddedServices;
import dev.gengate.common.ErrorCode;
import dev.gengate.http.HttpVerticle;
import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.TestService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /openapi.yaml} is a valid OpenAPI 3.1 document, served as YAML, and describes exactly the routes the
 * HTTP verticle serves: every route is documented, and every documented operation is served.
 */
class OpenApiContractTest {
  private static final Set<String> OPERATION_KEYS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

  private static Vertx vertx;
  private static HttpVerticle http;
  private static int port;
  private static JsonObject document;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    port = EmbeddedServices.freePort();
    http = new HttpVerticle();
    JsonObject config = TestService.config(new JsonObject().put("http", new JsonObject().put("port", port))).json();
    vertx.deployVerticle(http, new DeploymentOptions().setConfig(config)).await(30, TimeUnit.SECONDS);
    try (var in = OpenApiContractTest.class.getResourceAsStream("/openapi.yaml")) {
      document = new JsonObject(new ObjectMapper(new YAMLFactory()).readValue(in, Map.class));
    }
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void isServedAsYaml() {
    Reply reply = new Api(vertx, port).get("/openapi.yaml", null);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).startsWith("application/yaml");
    assertThat(reply.text()).startsWith("openapi: 3.1.0");
  }

  @Test
  void isAValidOpenApi31Document() throws Exception {
    assertThat(document.getString("openapi")).startsWith("3.1");
    OpenAPIVersion version = OpenAPIVersion.fromContract(document);
    assertThat(version).isEqualTo(OpenAPIVersion.V3_1);
    // Against the OpenAPI 3.1 meta-schema (vertx-openapi's own contract loader would also refuse the non-JSON
    // media types it cannot validate requests for, such as image/png: a limit of that library, not of the document).
    SchemaRepository repository = version.getRepository(vertx, "app://").await(30, TimeUnit.SECONDS);
    version.validateContract(vertx, repository, document).await(30, TimeUnit.SECONDS).checkValidity();
    // The validator is live: a document without its info object is refused.
    JsonObject broken = document.copy();
    broken.remove("info");
    OutputUnit refused = version.validateContract(vertx, repository, broken).await(30, TimeUnit.SECONDS);
    assertThatThrownBy(refused::checkValidity).isInstanceOf(JsonSchemaValidationException.class);
    // Every $ref points at something in the document.
    Set<String> refs = new TreeSet<>();
    collectRefs(document, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/");
      Object target = document;
      for (String segment : ref.substring(2).split("/")) {
        target = target instanceof JsonObject json ? json.getValue(segment) : null;
      }
      assertThat(target).as(ref).isInstanceOf(JsonObject.class);
    }
  }

  private static void collectRefs(Object node, Set<String> refs) {
    if (node instanceof JsonObject json) {
      json.forEach(entry -> {
        if (entry.getKey().equals("$ref")) {
          refs.add(entry.getValue().toString());
        } else {
          collectRefs(entry.getValue(), refs);
        }
      });
    } else if (node instanceof io.vertx.core.json.JsonArray array) {
      array.forEach(item -> collectRefs(item, refs));
    }
  }

  @Test
  void everyServedRouteIsDocumented() {
    assertThat(documentedOperations()).containsAll(servedRoutes());
  }

  @Test
  void everyDocumentedOperationIsServed() {
    assertThat(servedRoutes()).containsAll(documentedOperations());
  }

  @Test
  void errorCodesAreThoseOfTheService() {
    Set<String> documented = document.getJsonObject("components").getJsonObject("schemas")
        .getJsonObject("ErrorCode").getJsonArray("enum").stream().map(Object::toString)
        .collect(Collectors.toCollection(TreeSet::new));
    // PROVIDER_ERROR and TIMEOUT are a generation's own failure reasons (GenerationError), never an answer.
    Set<String> answered = Arrays.stream(ErrorCode.values())
        .filter(code -> code != ErrorCode.PROVIDER_ERROR && code != ErrorCode.TIMEOUT)
        .map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    assertThat(documented).isEqualTo(answered);
  }

  @Test
  void apiOperationsDeclareTheirCredentialsAndAuthFailures() {
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!path.startsWith("/v1/")) {
        continue;
      }
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!OPERATION_KEYS.contains(method)) {
          continue;
        }
        JsonObject operation = item.getJsonObject(method);
        String name = method.toUpperCase() + " " + path;
        boolean admin = path.startsWith("/v1/admin/");
        String scheme = admin ? "adminToken" : "userKey";
        assertThat(operation.getJsonArray("security").getJsonObject(0).containsKey(scheme))
            .as(name + " security " + scheme).isTrue();
        assertThat(operation.getJsonObject("responses").fieldNames()).as(name + " responses")
            .contains("401", "500", "503");
        if (admin) {
          assertThat(operation.getJsonObject("responses").fieldNames()).as(name + " responses").contains("403");
        }
      }
    }
  }

  /** "METHOD /path/{param}" for every route with methods and a plain path (not the catch-all handlers). */
  private static Set<String> servedRoutes() {
    Set<String> routes = new TreeSet<>();
    for (Route route : http.router().getRoutes()) {
      // A route's name is the path it was declared with ("/v1/admin/users/:id"); getPath() stops at a parameter.
      String declared = route.getName();
      if (declared == null || !declared.startsWith("/") || route.methods() == null || route.methods().isEmpty()) {
        continue;
      }
      String path = declared.replaceAll(":(\\w+)", "{$1}");
      for (HttpMethod method : route.methods()) {
        routes.add(method.name() + " " + path);
      }
    }
    return routes;
  }

  private static Set<String> documentedOperations() {
    Set<String> operations = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String key : paths.getJsonObject(path).fieldNames()) {
        if (OPERATION_KEYS.contains(key)) {
          operations.add(key.toUpperCase() + " " + path);
        }
      }
    }
    return operations;
  }
}
