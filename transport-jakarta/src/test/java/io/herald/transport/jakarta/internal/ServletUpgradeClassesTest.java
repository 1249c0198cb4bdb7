package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.transport.jakarta.HeraldServletWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link HeraldServletWebSocket} must load where only the servlet API is: Undertow brings no Jakarta WebSocket
 * API, and a helper of the Jakarta endpoint's class once broke every close there. {@code undertow-it} proves
 * it at run time; this walks the class files this module's servlet path refers to and names the one that
 * refers to the Jakarta WebSocket API or to Jetty.
 */
class ServletUpgradeClassesTest {
    private static final Pattern OURS = Pattern.compile("io/herald/transport/jakarta/[\\w/$]+");
    private static final List<String> FORBIDDEN = List.of("jakarta/websocket/", "org/eclipse/jetty/");
    /**
     * Named in {@code UpgradeServlet}'s constant pool only as the owner of the compile-time constant
     * {@code SUBPROTOCOL}, which javac copies into the code: never loaded from there.
     */
    private static final String CONSTANT_OWNER = "io/herald/transport/jakarta/HeraldWebSocket";

    @Test
    void noClassOnTheServletUpgradePathRefersToTheJakartaWebSocketApiOrJetty() throws IOException {
        Map<String, List<String>> offenders = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(HeraldServletWebSocket.class.getName().replace('.', '/')));
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!seen.add(name)) {
                continue;
            }
            String text = classFile(name);
            if (text == null) {
                continue;
            }
            List<String> found = FORBIDDEN.stream().filter(text::contains).toList();
            if (!found.isEmpty()) {
                offenders.put(name, found);
            }
            Matcher m = OURS.matcher(text);
            while (m.find()) {
                if (!m.group().equals(CONSTANT_OWNER)) {
                    todo.push(m.group());
                }
            }
        }
        assertThat(seen).as("the walk reached the upgrade connection")
                .contains("io/herald/transport/jakarta/internal/UpgradeConnection");
        assertThat(offenders).as("classes on the servlet path that need the Jakarta WebSocket API or Jetty")
                .isEmpty();
    }

    /** @return the class file's bytes as ISO-8859-1 text (its names are ASCII), or null for no such class */
    private static String classFile(String name) throws IOException {
        try (InputStream in = ServletUpgradeClassesTest.class.getResourceAsStream("/" + name + ".class")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
