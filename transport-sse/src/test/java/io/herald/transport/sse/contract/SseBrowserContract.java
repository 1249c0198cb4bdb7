package io.herald.transport.sse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.CloseReason;
import io.herald.spi.Authorizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The SSE stream in a real browser: headless Chromium's {@code EventSource} on a page of another origin,
 * with credentials, reporting back through {@code POST /publish}. Subclassed once per container.
 */
public abstract class SseBrowserContract extends SseStreamContract {
    private static final String REPORTS = "report.browser";

    @Test
    void aBrowserEventSourceOnAnotherOriginReceivesEventsAndResumesAfterTheStreamEnds() throws Exception {
        BrowserClient browser = track(BrowserClient.locate());
        serve(b -> b.authorizer(Authorizer.OPEN), browser.origin());
        Opened reports = connect("topics=" + REPORTS);
        List<JsonNode> seen = new ArrayList<>();
        browser.open(server.base(), "browser.*", REPORTS);

        JsonNode connected = report(reports, seen, r -> r.path("step").asText().equals("connected"));
        String connectionId = connected.path("connected").path("connectionId").asText();
        String first = hub.publish("browser.one", Map.of("n", 1));
        JsonNode event = report(reports, seen, r -> r.path("step").asText().equals("event"));
        assertThat(event.path("id").asText()).isEqualTo(first);
        assertThat(event.path("topic").asText()).isEqualTo("browser.one");

        assertThat(hub.disconnect(connectionId, CloseReason.SHUTDOWN)).isTrue();
        JsonNode closing = report(reports, seen, r -> r.path("step").asText().equals("error")
                && r.path("error").isObject());
        assertThat(closing.path("error").path("code").asText()).isEqualTo("INTERNAL");
        assertThat(closing.path("error").path("reason").asText()).isEqualTo("shutdown");
        assertThat(closing.path("error").path("closeCode").asInt()).isEqualTo(1001);
        String missed = hub.publish("browser.two", Map.of("n", 2));
        JsonNode again = report(reports, seen, r -> r.path("step").asText().equals("connected")
                && !r.path("connected").path("connectionId").asText().equals(connectionId));
        assertThat(again.path("connected").path("recovered").asBoolean()).as("resumed with Last-Event-ID").isTrue();
        JsonNode replayed = report(reports, seen, r -> r.path("step").asText().equals("event")
                && r.path("id").asText().equals(missed));
        assertThat(replayed.path("topic").asText()).isEqualTo("browser.two");
    }

    /** The first report, in arrival order, that matches; reports may arrive out of order (parallel fetches). */
    private static JsonNode report(Opened reports, List<JsonNode> seen, Predicate<JsonNode> wanted)
            throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            for (JsonNode r : seen) {
                if (wanted.test(r)) {
                    seen.remove(r);
                    return r;
                }
            }
            seen.add(reports.client().next().json().path("data"));
        }
        throw new AssertionError("no matching report among " + seen);
    }
}
