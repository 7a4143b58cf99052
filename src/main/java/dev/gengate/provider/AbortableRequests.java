package dev.gengate.provider;

import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Lets a {@link ProviderCall} abort its in-flight WebClient request. The WebClient API has no cancel, so an
 * interceptor (the client's own extension point) picks up the underlying {@link HttpClientRequest} when it is
 * about to be sent and registers {@code reset()} as the call's abort action: on HTTP/1.1 that closes the
 * connection, so the upstream sees the client go away. A call cancelled before sending never sends.
 */
final class AbortableRequests {
  private final Map<HttpRequest<?>, ProviderCall> tracked = Collections.synchronizedMap(new IdentityHashMap<>());

  AbortableRequests(WebClient client) {
    ((WebClientInternal) client).addInterceptor(ctx -> {
      ProviderCall call = ctx.phase() == ClientPhase.SEND_REQUEST ? tracked.get(ctx.request()) : null;
      if (call == null) {
        ctx.next();
        return;
      }
      HttpClientRequest request = ctx.clientRequest();
      if (call.isDone()) {
        request.reset();
        ctx.fail(new IllegalStateException("provider call aborted before sending"));
        return;
      }
      call.onAbort(request::reset);
      ctx.next();
    });
  }

  void track(HttpRequest<?> request, ProviderCall call) {
    tracked.put(request, call);
  }

  void forget(HttpRequest<?> request) {
    tracked.remove(request);
  }
}
