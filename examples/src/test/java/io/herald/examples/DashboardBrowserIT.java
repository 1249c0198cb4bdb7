package io.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.CloseReason;
import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.spi.HistoryLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless Chromium against the demo server on an ephemeral port.
 *
 * <p>Two restarts are checked. The HTTP server alone: Jetty is stopped (every socket dropped, the port
 * refusing connections) while the hub keeps publishing, and a new Jetty starts on the same port in front
 * of the same hub. And the whole server: the hub is closed (clients get 1001 {@code shutdown}), Jetty
 * stopped, and a new hub and Jetty start on the same port over the same {@link RetainedHistoryLog}, as a
 * restarted node over a persistent history. Either way the page must reconnect by itself, resume with
 * {@code since} and show every event exactly once, in order.
 */
class DashboardBrowserIT {
    /** A WebSocket that always fails, as behind a proxy that breaks it: the client falls back to SSE. */
    private static final String NO_WEBSOCKET =
            " class NoWebSocket { constructor() { throw new Error('blocked by a proxy'); } }";

    private DemoServer server;
    private Chromium browser;

    @BeforeEach
    void start() throws Exception {
        Chromium.requireInstalled();
        server = new DemoServer(new DemoOptions(0, false, null, false), false);
        server.start();
        browser = Chromium.open("http://127.0.0.1:" + server.port() + "/?user=tester&backoffMs=100");
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Waits until the demo page has loaded its client. */
    private void awaitDemo() throws Exception {
        await().until(() -> page("window.heraldDemo !== undefined").asBoolean());
    }

    @Test
    void thePageShowsEveryEventExactlyOnceInOrderAcrossAnHttpServerRestart() throws Exception {
        await().until(() -> page("window.heraldDemo && window.heraldDemo.subscribed === true").asBoolean());
        assertThat(page("window.heraldDemo.client.state").asText()).isEqualTo("open");

        List<String> published = new ArrayList<>();
        publish(published, 10);
        await().until(() -> page("window.heraldDemo.taskIds.length").asInt() == 10);

        server.stopHttp();
        await().until(() -> !page("window.heraldDemo.client.state").asText().equals("open"));
        publish(published, 10);
        server.startHttp();
        await().until(() -> page("window.heraldDemo.client.state").asText().equals("open"));
        publish(published, 10);

        await().until(() -> page("window.heraldDemo.taskIds.length").asInt() >= published.size());
        assertThat(ids("window.heraldDemo.taskIds")).containsExactlyElementsOf(published);
        assertThat(ids("[...document.querySelectorAll('#events li[data-id]')].map(li => li.dataset.id).reverse()"))
                .containsExactlyElementsOf(published);
        assertThat(page("window.heraldDemo.errors.length").asInt()).isZero();
    }

    @Test
    void thePageShowsEveryEventExactlyOnceAcrossAFullRestartOfHubAndServerOverARetainedHistory() throws Exception {
        browser.close();
        browser = null;
        server.close();
        RetainedHistoryLog history = new RetainedHistoryLog();
        server = new DemoServer(withHistory(history), new DemoOptions(0, false, null, false), false);
        server.start();
        int port = server.port();
        browser = Chromium.open("http://127.0.0.1:" + port + "/?user=tester&backoffMs=100");
        await().until(() -> page("window.heraldDemo && window.heraldDemo.subscribed === true").asBoolean());

        List<String> published = new ArrayList<>();
        publish(published, 10);
        await().until(() -> page("window.heraldDemo.taskIds.length").asInt() == 10);

        server.close();
        await().until(() -> !page("window.heraldDemo.client.state").asText().equals("open"));
        server = new DemoServer(withHistory(history), new DemoOptions(port, false, null, false), false);
        server.start();
        publish(published, 10);
        await().until(() -> page("window.heraldDemo.client.state").asText().equals("open"));
        publish(published, 10);

        await().until(() -> page("window.heraldDemo.taskIds.length").asInt() >= published.size());
        assertThat(ids("window.heraldDemo.taskIds")).containsExactlyElementsOf(published);
        assertThat(page("window.heraldDemo.errors.length").asInt()).isZero();
    }

    /** The dashboard example, with a history log that survives its hub. */
    private static ExampleApp withHistory(HistoryLog history) {
        return configured(b -> b.historyLog(history));
    }

    @Test
    void requestsAnswerByRefWithTypedErrorsAndTimeOutWhileTheServerIsGone() throws Exception {
        await().until(() -> page("window.heraldDemo && window.heraldDemo.client.state === 'open'").asBoolean());

        assertThat(page("window.heraldDemo.client.publish('demo.note', {n: 1}).then(a => typeof a.id)").asText())
                .isEqualTo("string");
        assertThat(page("window.heraldDemo.client.publish('task.created', {}).then(() => 'published',"
                + " e => e.name + ' ' + e.code)").asText()).isEqualTo("HeraldError FORBIDDEN");
        assertThat(page("window.heraldDemo.client.subscribe(['task..x']).then(() => 'ok', e => e.code)").asText())
                .isEqualTo("INVALID_TOPIC");

        // ping is answered over WebSocket only: a few failed attempts while the server is gone must not
        // switch the page to its SSE fallback
        page("window.heraldDemo.client.options.sseAfterFailures = Infinity; 1");
        server.stopHttp();
        await().until(() -> !page("window.heraldDemo.client.state").asText().equals("open"));
        assertThat(page("window.heraldDemo.client.request({type: 'ping'}, {timeoutMs: 300})"
                + ".then(() => 'answered', e => e.name + ' ' + e.code)").asText())
                .isEqualTo("HeraldTimeoutError TIMEOUT");
        server.startHttp();
        await().until(() -> page("window.heraldDemo.client.state").asText().equals("open"));
        assertThat(page("window.heraldDemo.client.ping().then(p => typeof p.ts)").asText()).isEqualTo("number");
    }

    @Test
    void reconnectDelaysGrowExponentiallyUpToTheBoundAndTheClientGivesUpAfterMaxAttempts() throws Exception {
        awaitDemo();
        JsonNode result = page("import('/herald-client.js').then(async m => {"
                + " const c = new m.HeraldClient('ws://127.0.0.1:9/ws', {reconnect:"
                + "   {initialDelayMs: 10, factor: 2, maxDelayMs: 30, jitter: 0, maxAttempts: 4}});"
                + " const delays = []; c.addListener('reconnect', r => delays.push(r.delayMs));"
                + " const outcome = await c.connect().then(() => 'connected', e => e.name + ': ' + e.message);"
                + " return {outcome, delays, state: c.state}; })");
        assertThat(result.get("outcome").asText()).isEqualTo("HeraldConnectionError: gave up reconnecting");
        assertThat(result.get("state").asText()).isEqualTo("closed");
        assertThat(result.get("delays").toString()).isEqualTo("[10,20,30,30]");
    }

    @Test
    void onPatternsMatchTopicsWithTheServersSemantics() throws Exception {
        awaitDemo();
        String cases = "[['task.*','task.created',true],['task.*','task',false],['task.*','task.a.b',false],"
                + "['task.**','task',true],['task.**','task.a.b',true],['**.error','error',true],"
                + "['**.error','db.conn.error',true],['**','x',true],['a.**.z','a.z',true],['a.*.z','a.z',false]]";
        assertThat(page("import('/herald-client.js').then(m => " + cases
                + ".filter(([p, t, want]) => m.topicMatches(p, t) !== want).map(c => c.join(' ')))"))
                .isEmpty();
    }

    @Test
    void theChatShowsWhoIsThereAndWhoIsTypingButNeverTheSendersOwnTyping() throws Exception {
        await().until(() -> page("window.heraldDemo && window.heraldDemo.client.state === 'open'").asBoolean());
        await().until(() -> page("document.querySelectorAll('#members li').length").asInt() == 1);
        page("import('/herald-client.js').then(async m => {"
                + " const bob = new m.HeraldClient('ws://' + location.host + '/ws', {token: 'user:bob'});"
                + " window.bob = bob; window.bobSaw = [];"
                + " bob.on('chat.*', e => window.bobSaw.push(e.topic + ':' + e.data.name));"
                + " await bob.connect(); await bob.join('chat:general', {name: 'bob'}); return true; })");
        await().until(() -> page("[...document.querySelectorAll('#members li')].map(li => li.textContent).sort().join()")
                .asText().equals("bob,tester"));

        page("window.bob.publishToRoom('chat:general', 'chat.typing', {name: 'bob'}, {echo: false}).then(() => 1)");
        await().until(() -> page("document.getElementById('typing').textContent").asText().equals("bob is typing…"));

        page("const i = document.getElementById('chat-input'); i.value = 'h';"
                + " i.dispatchEvent(new Event('input')); 1");
        await().until(() -> page("window.bobSaw.join()").asText().equals("chat.typing:tester"));
        assertThat(page("document.getElementById('typing').textContent").asText()).doesNotContain("tester");

        page("document.getElementById('chat-input').value = 'hello bob';"
                + " document.getElementById('chat-form').requestSubmit(); 1");
        await().until(() -> page("window.bobSaw.join()").asText().equals("chat.typing:tester,chat.message:tester"));
        await().until(() -> page("document.getElementById('messages').textContent").asText().contains("tester: hello bob"));
        page("window.bob.close(); 1");
        await().until(() -> page("document.querySelectorAll('#members li').length").asInt() == 1);
    }

    @Test
    void afterRepeatedWebSocketFailuresTheClientFallsBackToSseWithItsSubscriptions() throws Exception {
        awaitDemo();
        JsonNode opened = page("import('/herald-client.js').then(async m => {"
                + NO_WEBSOCKET
                + " const c = new m.HeraldClient('ws://127.0.0.1:9/ws', {WebSocket: NoWebSocket,"
                + "   sseUrl: '/events', reconnect: {initialDelayMs: 5}});"
                + " const seen = []; c.on('fallback.*', e => seen.push(e.id));"
                + " window.fallback = {c, seen};"
                + " const ready = c.connect();"
                + " await c.subscribe(['fallback.*']); await ready;"
                + " return {transport: c.transport, state: c.state}; })");
        assertThat(opened.get("transport").asText()).isEqualTo("sse");
        assertThat(opened.get("state").asText()).isEqualTo("open");
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            published.add(server.hub().publish("fallback.event", Map.of("n", i)));
        }
        await().until(() -> ids("window.fallback.seen").size() >= published.size());
        assertThat(ids("window.fallback.seen")).containsExactlyElementsOf(published);
        page("window.fallback.c.close(); 1");
    }

    @Test
    void aRefusedSubscribeIsNotRestoredAndAPatternIsRestoredWithItsLatestFilterOnly() throws Exception {
        awaitDemo();
        JsonNode answers = page("import('/herald-client.js').then(async m => {"
                + " const c = new m.HeraldClient('ws://' + location.host + '/ws', {token: 'user:refused',"
                + "   reconnect: {initialDelayMs: 50, maxDelayMs: 200, jitter: 0}});"
                + " const seen = [], errors = [];"
                + " c.on('ok.**', e => seen.push(e.topic + ':' + e.data.n)); c.addListener('error', e => errors.push(e.code));"
                + " window.t = {c, seen, errors};"
                + " const early = await c.subscribe(['bad..early']).then(() => 'subscribed', e => e.code);"
                + " await c.connect(); await c.subscribe(['ok.a']);"
                + " const refused = await c.subscribe(['ok.b', 'bad..x']).then(() => 'subscribed', e => e.code);"
                + " await c.subscribe(['ok.f'], {filter: {n: 1}}); await c.subscribe(['ok.f'], {filter: {n: 2}});"
                + " return {early, refused}; })");
        assertThat(answers.get("early").asText()).isEqualTo("DISCONNECTED");
        assertThat(answers.get("refused").asText()).isEqualTo("INVALID_TOPIC");
        server.hub().publish("ok.a", Map.of("n", -1));
        await().until(() -> page("window.t.seen.length").asInt() == 1);

        server.stopHttp();
        await().until(() -> !page("window.t.c.state").asText().equals("open"));
        server.startHttp();
        await().until(() -> page("window.t.c.state").asText().equals("open"));
        // published after the reconnect, but the resume (since the last id seen) replays any the restore missed
        server.hub().publish("ok.a", Map.of("n", 0));
        server.hub().publish("ok.b", Map.of("n", 0));
        server.hub().publish("ok.f", Map.of("n", 1));
        server.hub().publish("ok.f", Map.of("n", 2));
        server.hub().publish("ok.a", Map.of("n", 99));
        await().until(() -> ids("window.t.seen").containsAll(List.of("ok.a:99", "ok.f:2")));
        Thread.sleep(300);
        assertThat(ids("window.t.seen")).containsExactlyInAnyOrder("ok.a:-1", "ok.a:0", "ok.f:2", "ok.a:99");
        assertThat(ids("window.t.errors")).isEmpty();
        page("window.t.c.close(); 1");
    }

    /**
     * A WebSocket that hands the page every frame the client sends, to cut or answer the restoring
     * subscribe of the filtered group ({@code window.tap.intercept(frame, tap)} returns true to swallow it).
     */
    private static final String TAP = "window.tap = {sockets: [], intercept: () => false};"
            + " class Tap { constructor(url, protocols) { this.ws = new WebSocket(url, protocols); window.tap.sockets.push(this);"
            + "   this.ws.onopen = e => this.onopen && this.onopen(e);"
            + "   this.ws.onmessage = e => this.onmessage && this.onmessage(e);"
            + "   this.ws.onclose = e => this.onclose && this.onclose(e); }"
            + "  get readyState() { return this.ws.readyState; }"
            + "  send(text) { if (!window.tap.intercept(JSON.parse(text), this)) this.ws.send(text); }"
            + "  close(code, reason) { this.ws.close(code, reason); } }";

    private JsonNode openTappedClientWithTwoGroups() throws Exception {
        awaitDemo();
        return page("import('/herald-client.js').then(async m => {" + TAP
                + " const c = new m.HeraldClient('ws://' + location.host + '/ws', {token: 'user:gap', WebSocket: Tap,"
                + "   reconnect: {initialDelayMs: 50, maxDelayMs: 200, jitter: 0}});"
                + " const seen = []; c.on('gap.*', e => seen.push(e.topic + ':' + e.data.n));"
                + " window.t = {c, seen};"
                + " await c.connect(); await c.subscribe(['gap.a']); await c.subscribe(['gap.b'], {filter: {n: {gte: 0}}});"
                + " return true; })");
    }

    /**
     * Opens the tapped client, arms the tap to act on the filtered group's next restoring subscribe, then
     * restarts the HTTP server while {@code gap.b:1} and {@code gap.a:2} are published.
     *
     * @param onRestore JavaScript run on that subscribe instead of sending it ({@code f} the frame, {@code tap}
     *     the socket)
     */
    private void restartWhileTheFilteredRestoreIsTapped(String onRestore) throws Exception {
        openTappedClientWithTwoGroups();
        server.hub().publish("gap.a", Map.of("n", 0));
        await().until(() -> page("window.t.seen.length").asInt() == 1);
        page("window.tap.intercept = (f, tap) => { if (f.type !== 'subscribe' || !f.filter || !f.since) return false;"
                + " window.tap.intercept = () => false; " + onRestore + " return true; }; 1");
        server.stopHttp();
        await().until(() -> !page("window.t.c.state").asText().equals("open"));
        server.hub().publish("gap.b", Map.of("n", 1));
        server.hub().publish("gap.a", Map.of("n", 2));
        server.startHttp();
    }

    @Test
    void aResumeCutOffBetweenTwoGroupsRestoresTheSecondFromWhereTheFirstResumeStarted() throws Exception {
        // the filtered group's restoring subscribe is swallowed and the socket dropped after the first
        // group's replay has arrived (and moved lastEventId past the second group's gap)
        restartWhileTheFilteredRestoreIsTapped("window.tap.cutAt = window.tap.sockets.length;"
                + " setTimeout(() => tap.ws.close(), 500);");
        await().until(() -> page("window.t.seen.includes('gap.a:2')").asBoolean());
        await().until(() -> page("window.tap.cutAt !== undefined && window.tap.sockets.length > window.tap.cutAt"
                + " && window.t.c.state === 'open'").asBoolean());
        server.hub().publish("gap.a", Map.of("n", 3));
        await().until(() -> page("window.t.seen.includes('gap.a:3')").asBoolean());
        assertThat(ids("window.t.seen")).containsExactlyInAnyOrder("gap.a:0", "gap.a:2", "gap.b:1", "gap.a:3");
        page("window.t.c.close(); 1");
    }

    @Test
    void aRestoringSubscribeThatIsRateLimitedIsRetriedAfterRetryAfterMsFromTheSameResumePoint() throws Exception {
        restartWhileTheFilteredRestoreIsTapped("window.tap.refusedOn = window.tap.sockets.length;"
                + " setTimeout(() => tap.onmessage({data: JSON.stringify({type: 'error', ref: f.ref,"
                + "   code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 300})}), 0);");
        await().until(() -> page("window.t.seen.includes('gap.b:1')").asBoolean());
        server.hub().publish("gap.b", Map.of("n", 3));
        await().until(() -> page("window.t.seen.includes('gap.b:3')").asBoolean());
        assertThat(ids("window.t.seen")).containsExactlyInAnyOrder("gap.a:0", "gap.a:2", "gap.b:1", "gap.b:3");
        assertThat(page("window.tap.sockets.length === window.tap.refusedOn").asBoolean())
                .as("retried on the same connection").isTrue();
        page("window.t.c.close(); 1");
    }

    @Test
    void overSseTheClientReconnectsByItselfFromWhatIsSubscribedNowAndStopsForGoodWhenBanned() throws Exception {
        awaitDemo();
        page("import('/herald-client.js').then(async m => {"
                + " class NoWebSocket { constructor() { window.fb.wsTries++; throw new Error('blocked by a proxy'); } }"
                + " const c = new m.HeraldClient('ws://127.0.0.1:9/ws', {WebSocket: NoWebSocket, token: 'user:streamer',"
                + "   sseUrl: '/events', reconnect: {initialDelayMs: 300, maxDelayMs: 400, jitter: 0}});"
                + " const seen = [], errors = []; c.on('sse.*', e => seen.push(e.topic + ':' + e.data.n));"
                + " c.addListener('error', e => errors.push(e.code + ' ' + (e.reason || (e.frame && e.frame.reason) || '')));"
                + " window.fb = {c, seen, errors, wsTries: 0};"
                + " await c.connect();"
                + " await c.subscribe(['sse.later', 'sse.gone']); await c.subscribe(['sse.f'], {filter: {n: 1}});"
                + " await c.unsubscribe(['sse.gone']);"
                + " return c.transport; })");
        assertThat(page("window.fb.c.transport").asText()).isEqualTo("sse");
        server.hub().publish("sse.later", Map.of("n", 0));
        await().until(() -> page("window.fb.seen.length").asInt() == 1);

        // the server ends the stream (1011 internal: come back and resume), then goes away for a while
        server.hub().disconnect(page("window.fb.c.connection.connectionId").asText(), CloseReason.INTERNAL);
        try {
            server.stopHttp();
        } catch (TimeoutException e) {
            // Jetty's graceful stop waited its 3 s stop timeout for an HTTP connection and says so; it stopped
        }
        await().until(() -> server.hub().admin().connectionsOf("streamer").isEmpty());
        server.hub().publish("sse.later", Map.of("n", 1));
        server.hub().publish("sse.gone", Map.of("n", 1));
        server.hub().publish("sse.f", Map.of("n", 1));
        server.hub().publish("sse.f", Map.of("n", 2));
        server.startHttp();
        await().until(() -> server.hub().admin().connectionsOf("streamer").size() == 1
                && page("window.fb.c.state").asText().equals("open"));
        server.hub().publish("sse.later", Map.of("n", 3));
        await().until(() -> page("window.fb.seen.length").asInt() >= 4);
        Thread.sleep(500);
        assertThat(ids("window.fb.seen")).containsExactlyInAnyOrder("sse.later:0", "sse.later:1", "sse.f:1", "sse.later:3");
        assertThat(page("window.fb.wsTries").asInt()).as("reconnected over SSE directly").isEqualTo(3);

        String id = page("window.fb.c.connection.connectionId").asText();
        server.hub().disconnect(id, new CloseReason(CloseReason.POLICY_VIOLATION, "banned"));
        await().until(() -> page("window.fb.c.state").asText().equals("closed"));
        assertThat(ids("window.fb.errors")).contains("FORBIDDEN banned");
        // for longer than the stream's `retry` (3 s), after which a browser would come back by itself
        Awaitility.await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> server.hub().admin().connectionsOf("streamer").isEmpty());
        assertThat(page("window.fb.c.state").asText()).isEqualTo("closed");
    }

    @Test
    void overSseARoomAskedBeforeTheStreamOpensResolvesWithItsMembers() throws Exception {
        awaitDemo();
        await().until(() -> !server.hub().admin().members("chat:general").isEmpty());
        JsonNode users = page("import('/herald-client.js').then(async m => {"
                + NO_WEBSOCKET
                + " const c = new m.HeraldClient('ws://127.0.0.1:9/ws', {WebSocket: NoWebSocket,"
                + "   token: 'user:streamroom', sseUrl: '/events', reconnect: {initialDelayMs: 5}});"
                + " const ready = c.connect(); const joined = c.join('chat:general', {name: 'streamroom'});"
                + " await ready; const answer = await joined; c.close();"
                + " return answer.members.map(x => x.user).sort(); })");
        // the page's own member, joined over WebSocket, and this one: the stream's joined event, not a stand-in
        assertThat(users).hasSizeGreaterThanOrEqualTo(2);
        assertThat(users.toString()).contains("\"streamroom\"");
    }

    @Test
    void overSseARoomTheStreamsUrlAskedButTheServerRefusesRejectsTheJoinAtOnce() throws Exception {
        browser.close();
        browser = null;
        server.close();
        // queues of 4 KiB: a member list of about 15 members with meta would not fit in a joiner's queue
        server = new DemoServer(configured(b -> b.outboundQueue(1_000, 4_096).maxFrameBytes(2_048)),
                new DemoOptions(0, false, null, false), false);
        server.start();
        browser = Chromium.open("http://127.0.0.1:" + server.port() + "/?user=tester&backoffMs=100");
        awaitDemo();
        // members with meta until one more would not fit, then members without (as a stream joins) likewise
        int members = page("import('/herald-client.js').then(async m => {"
                + " const url = 'ws://127.0.0.1:" + server.port() + "/ws';"
                + " window.big = [];"
                + " for (const meta of [{bio: 'x'.repeat(200)}, undefined]) {"
                + "   for (let i = 0; i < 40; i++) {"
                + "     const w = new m.HeraldClient(url, {token: 'user:m' + window.big.length + '-' + i});"
                + "     await w.connect();"
                + "     const refused = await w.join('chat:big', meta).then(() => false, e => e.code === 'TOO_LARGE');"
                + "     if (refused) { w.close(); break; }"
                + "     window.big.push(w);"
                + "   }"
                + " }"
                + " return window.big.length; })").asInt();
        assertThat(members).isGreaterThan(5);
        JsonNode answer = page("import('/herald-client.js').then(async m => {"
                + NO_WEBSOCKET
                + " const c = new m.HeraldClient('ws://127.0.0.1:9/ws', {WebSocket: NoWebSocket, token: 'user:big',"
                + "   sseUrl: '/events', requestTimeoutMs: 600000, reconnect: {initialDelayMs: 5}});"
                + " const ready = c.connect(); const joined = c.join('chat:big');"
                + " await ready; const code = await joined.then(() => 'joined', e => e.code);"
                + " const result = {code, state: c.state, transport: c.transport};"
                + " c.close(); window.big.forEach(w => w.close()); return result; })");
        // without the room named in the error event, the join would wait for requestTimeoutMs (10 minutes)
        assertThat(answer.path("code").asText()).isEqualTo("TOO_LARGE");
        assertThat(answer.path("transport").asText()).isEqualTo("sse");
        assertThat(answer.path("state").asText()).as("the stream stays open").isEqualTo("open");
    }

    /** The dashboard example, configured further. */
    private static ExampleApp configured(Consumer<HubBuilder> more) {
        ExampleApp dashboard = new DashboardApp();
        return new ExampleApp() {
            @Override
            public String name() {
                return dashboard.name();
            }

            @Override
            public String summary() {
                return dashboard.summary();
            }

            @Override
            public void configure(HubBuilder builder) {
                dashboard.configure(builder);
                more.accept(builder);
            }

            @Override
            public AutoCloseable startTraffic(Hub hub) {
                return dashboard.startTraffic(hub);
            }
        };
    }

    @Test
    void overSseARoomAskedWhileTheStreamIsOpeningIsRefusedRatherThanReportedJoined() throws Exception {
        awaitDemo();
        // the join is asked right after the EventSource was created, before its `connected`: the stream's
        // URL, the only way to join a room over SSE, is already on its way without it
        JsonNode answer = page("import('/herald-client.js').then(async m => {"
                + NO_WEBSOCKET
                + " class LateJoinEventSource { constructor(url, options) { const source = new EventSource(url, options);"
                + "   if (!window.lj.answer) setTimeout(() => { window.lj.answer = window.lj.c.join('chat:late')"
                + "     .then(() => 'joined', e => e.code); }, 0);"
                + "   return source; } }"
                + " const c = new m.HeraldClient('ws://127.0.0.1:9/ws', {WebSocket: NoWebSocket,"
                + "   EventSource: LateJoinEventSource, token: 'user:late', sseUrl: '/events', reconnect: {initialDelayMs: 5}});"
                + " window.lj = {c};"
                + " await c.connect(); const answer = await window.lj.answer; c.close(); return answer; })");
        assertThat(answer.asText()).isEqualTo("UNSUPPORTED");
        assertThat(server.hub().admin().members("chat:late")).isEmpty();
    }

    @Test
    void theBackoffKeepsGrowingWhenTheServerClosesRightAfterConnectedAndA1008IsReportedWithItsReason() throws Exception {
        awaitDemo();
        page("import('/herald-client.js').then(m => {"
                + " const c = new m.HeraldClient('ws://' + location.host + '/ws', {token: 'user:flaky',"
                + "   reconnect: {initialDelayMs: 50, factor: 2, maxDelayMs: 800, jitter: 0}});"
                + " const delays = [], closes = [], errors = [];"
                + " c.addListener('reconnect', r => delays.push(r.delayMs));"
                + " c.addListener('close', x => closes.push(x.code + ' ' + x.reason));"
                + " c.addListener('error', e => errors.push(e.code + ' ' + e.message));"
                + " window.flaky = {c, delays, closes, errors}; c.connect().catch(() => {}); return true; })");
        long until = System.currentTimeMillis() + 15_000;
        while (page("window.flaky.delays.length").asInt() < 6 && System.currentTimeMillis() < until) {
            server.hub().admin().connectionsOf("flaky")
                    .forEach(c -> server.hub().disconnect(c.connectionId(), CloseReason.SLOW_CONSUMER));
            Thread.sleep(5);
        }
        assertThat(ids("window.flaky.delays")).startsWith("50", "100", "200", "400", "800", "800");
        assertThat(ids("window.flaky.closes")).contains("1013 slow-consumer");

        await().until(() -> page("window.flaky.c.state").asText().equals("open"));
        String id = page("window.flaky.c.connection.connectionId").asText();
        server.hub().disconnect(id, CloseReason.ABUSE);
        await().until(() -> page("window.flaky.c.state").asText().equals("closed"));
        assertThat(ids("window.flaky.errors")).anySatisfy(e -> assertThat(e).startsWith("FORBIDDEN").contains("abuse"));
    }

    private void publish(List<String> published, int count) {
        for (int i = 0; i < count; i++) {
            int n = published.size() + 1;
            published.add(server.hub().publish("task.created", Map.of("taskId", n, "title", "Task " + n)));
        }
    }

    private List<String> ids(String expression) throws Exception {
        List<String> ids = new ArrayList<>();
        page(expression).forEach(n -> ids.add(n.asText()));
        return ids;
    }

    private JsonNode page(String expression) throws Exception {
        return browser.evaluate(expression);
    }

    private static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100));
    }
}
