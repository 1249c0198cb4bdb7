package io.herald.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Principal;
import io.herald.spi.Authorizer;
import io.herald.spi.StoredEvent;
import java.util.ArrayList;
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
 * <p>Cost: a log may hold 10,000 events and a request name 256 patterns beside 256 existing ones, so the
 * patterns go into a {@link PatternIndex} of their own, built once per resume: each event's topic is split
 * once and matched against all of them in time that follows its depth and the patterns that match, and the
 * index explores each position of a {@code **} once, so no pattern makes matching exponential (the
 * backtracking reference matcher of the tests takes about a millisecond for {@code **.a.**.a…} against a topic of
 * sixteen {@code a}).
 *
 * <p>Used by one resume, on its request thread, with no lock held.
 */
final class ReplaySelection implements Predicate<StoredEvent>, PatternIndex.Visitor<Object> {
    /** The value the index holds for the new patterns; the existing subscriptions are their own values. */
    private static final Object REQUESTED = new Object();

    private final PatternIndex<Object> index = new PatternIndex<>();
    private final Filter filter;
    private final Principal principal;
    private final Authorizer authorizer;
    private final Fanout fanout;
    private final String heldFrom;
    /** Per event: whether a new pattern matched, and the existing subscriptions whose pattern did. */
    private boolean requested;
    private final List<Subscription> matched = new ArrayList<>();

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
        for (String pattern : patterns) {
            index.add(pattern, REQUESTED);
        }
        for (Subscription s : existing) {
            index.add(s.pattern, s);
        }
        this.filter = filter;
        this.principal = principal;
        this.authorizer = authorizer;
        this.fanout = fanout;
        this.heldFrom = heldFrom;
    }

    @Override
    public boolean test(StoredEvent e) {
        if (!e.isTopicEvent()) {
            return false;
        }
        requested = false;
        matched.clear();
        index.match(Topics.split(e.topic()), this);
        if (!requested) {
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
        for (Subscription s : matched) {
            if (fanout.appendedAfter(e.id(), s.coveredAfter)) {
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

    @Override
    public void visit(Object value) {
        if (value == REQUESTED) {
            requested = true;
        } else {
            matched.add((Subscription) value);
        }
    }
}
