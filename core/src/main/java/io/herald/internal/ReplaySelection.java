package io.herald.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Principal;
import io.herald.spi.Authorizer;
import io.herald.spi.StoredEvent;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which retained events a resume replays: the topic events after {@code since} that the new subscriptions
 * select (one of their patterns, their filter, and the authorizer's {@code mayReceive}) and that the
 * connection has not been given already.
 *
 * <p>The connection has been given an event when one of the subscriptions it had before this request (those
 * being replaced included) selects it and covered it, that is, the log appended it after the subscription's
 * {@link Subscription#coveredAfter}: that subscription delivered it live, held it at a seam, or a recovered
 * resume replayed it. Selecting means what live delivery checks: the pattern, the subscription's filter, and
 * {@code mayReceive}, which the event has passed already for the new subscriptions (its answer does not
 * change during a connection's life). An event appended after this resume began holding is always replayed
 * if selected: when a subscription delivered it, it is among the held events and the seam keeps one copy.
 *
 * <p>Used by one resume, on its request thread, with no lock held.
 */
final class ReplaySelection implements Predicate<StoredEvent> {
    private final List<String> patterns;
    private final Filter filter;
    private final List<Subscription> existing;
    private final Principal principal;
    private final Authorizer authorizer;
    private final Fanout fanout;
    private final String heldFrom;

    /**
     * @param patterns the new subscriptions' patterns
     * @param filter their filter, or {@code null}
     * @param existing the connection's subscriptions before the request
     * @param principal the connection's principal
     * @param authorizer the hub's authorizer
     * @param fanout orders log positions
     * @param heldFrom the position at which the resume began holding, from {@link Fanout#hold}
     */
    ReplaySelection(List<String> patterns, Filter filter, List<Subscription> existing, Principal principal,
            Authorizer authorizer, Fanout fanout, String heldFrom) {
        this.patterns = patterns;
        this.filter = filter;
        this.existing = existing;
        this.principal = principal;
        this.authorizer = authorizer;
        this.fanout = fanout;
        this.heldFrom = heldFrom;
    }

    @Override
    public boolean test(StoredEvent e) {
        if (!e.isTopicEvent() || !matchesAny(patterns, e.topic())) {
            return false;
        }
        JsonNode data = null;
        if (filter != null) {
            data = JsonCodec.readTree(e.data());
            if (!filter.test(data)) {
                return false;
            }
        }
        if (!authorizer.mayReceive(principal, e.topic())) {
            return false;
        }
        if (fanout.appendedAfter(e.id(), heldFrom)) {
            return true;
        }
        for (Subscription s : existing) {
            if (Topics.matches(s.pattern, e.topic()) && fanout.appendedAfter(e.id(), s.coveredAfter)) {
                if (s.filter == null) {
                    return false;
                }
                if (data == null) {
                    data = JsonCodec.readTree(e.data());
                }
                if (s.filter.test(data)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matchesAny(List<String> patterns, String topic) {
        for (String pattern : patterns) {
            if (Topics.matches(pattern, topic)) {
                return true;
            }
        }
        return false;
    }
}
