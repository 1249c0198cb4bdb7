package io.herald.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.Principal;
import io.herald.spi.ProtocolException;
import io.herald.spi.Replay;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribe and unsubscribe, including resume: validation, the connection's table, the pattern index,
 * and stitching the history replay to live delivery (see {@code docs/architecture.md}). All-or-nothing:
 * everything is checked before anything changes.
 */
final class SubscriptionRequests {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRequests.class);

    private final HubEngine hub;
    private final HubConfig config;

    SubscriptionRequests(HubEngine hub) {
        this.hub = hub;
        this.config = hub.config;
    }

    /**
     * Checks patterns and filter for a principal without touching any connection.
     *
     * @param topics the requested patterns (duplicates are folded)
     * @return the distinct patterns, in request order
     * @throws ProtocolException naming the first problem
     */
    List<String> check(Principal p, List<String> topics, String ref) throws ProtocolException {
        List<String> patterns = new ArrayList<>(new LinkedHashSet<>(topics));
        if (patterns.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field 'topics' must not be empty", ref);
        }
        if (patterns.size() > config.maxSubscriptionsPerConnection()) {
            throw tooMany(ref);
        }
        for (String pattern : patterns) {
            String problem = Topics.patternProblem(pattern);
            if (problem != null) {
                throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, ref);
            }
            boolean allowed = hub.authorizer.maySubscribe(p, pattern)
                    && (Topics.hasWildcard(pattern) || hub.authorizer.mayReceive(p, pattern));
            if (!allowed) {
                throw new ProtocolException(ErrorCode.FORBIDDEN, "may not subscribe to '" + pattern + "'", ref);
            }
        }
        return patterns;
    }

    private ProtocolException tooMany(String ref) {
        return new ProtocolException(ErrorCode.LIMIT_EXCEEDED,
                "at most " + config.maxSubscriptionsPerConnection() + " subscriptions per connection", ref);
    }

    void subscribe(Connection c, Request.Subscribe s, Answers out) throws ProtocolException {
        List<String> patterns = check(c.principal(), s.topics(), s.ref());
        Filter filter = s.filter() == null ? null : Filter.compile(s.filter(), s.ref());
        subscribe(c, patterns, filter, s.since(), s.ref(),
                replay -> new ServerMessage.Subscribed(s.ref(), patterns, replay == null ? null : replay.recovered()),
                out);
    }

    /**
     * Adds checked subscriptions, replays history after {@code since} if given, and answers.
     *
     * @param answerFor builds the answer from the replay as queued ({@code null} without {@code since}); it
     *     is queued before the replayed events when answers go to the connection's queue
     */
    void subscribe(Connection c, List<String> patterns, Filter filter, String since, String ref,
            Function<Replay, ServerMessage> answerFor, Answers out) throws ProtocolException {
        List<Subscription> existing;
        List<Subscription> added = new ArrayList<>(patterns.size());
        List<Subscription> replaced = new ArrayList<>();
        String heldFrom;
        synchronized (c) {
            if (!c.isOpen()) {
                return;
            }
            long adding = patterns.stream().filter(x -> !c.subscriptions.containsKey(x)).count();
            if (c.subscriptions.size() + adding > config.maxSubscriptionsPerConnection()) {
                throw tooMany(ref);
            }
            existing = new ArrayList<>(c.subscriptions.values());
            for (String pattern : patterns) {
                Subscription sub = new Subscription(c, pattern, filter);
                added.add(sub);
                Subscription old = c.subscriptions.put(pattern, sub);
                if (old != null) {
                    replaced.add(old);
                } else {
                    hub.metrics.subscriptionCount.increment();
                }
            }
            heldFrom = hub.fanout.hold(c, added, replaced);
        }
        Replay replay = since == null ? null
                : readHistory(c, since, new ReplaySelection(patterns, filter, existing, c.principal(),
                        hub.authorizer, hub.fanout, heldFrom));
        Replay queued = hub.fanout.release(c, out.queued() ? answerFor : null, replay, heldFrom);
        if (queued != null && queued.recovered()) {
            // every event after since that these select is now queued or was given before
            for (Subscription sub : added) {
                sub.coveredAfter = hub.fanout.earlier(since, sub.coveredAfter);
            }
        }
        if (!out.queued() && c.isOpen()) {
            // a connection closed meanwhile (its held events overflowed) gets no answer: the caller is told
            // it closed, never that it recovered
            out.answer(answerFor.apply(queued));
        }
    }

    private Replay readHistory(Connection c, String since, ReplaySelection selection) {
        try {
            return hub.history.readAfter(since, selection, config.maxReplay());
        } catch (RuntimeException e) {
            LOG.warn("history read after {} failed for {}; answering recovered=false", since, c, e);
            return new Replay(false, List.of());
        }
    }

    void unsubscribe(Connection c, Request.Unsubscribe u, Answers out) throws ProtocolException {
        List<String> patterns = new ArrayList<>(new LinkedHashSet<>(u.topics()));
        for (String pattern : patterns) {
            String problem = Topics.patternProblem(pattern);
            if (problem != null) {
                throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, u.ref());
            }
        }
        synchronized (c) {
            List<Subscription> removed = new ArrayList<>(patterns.size());
            for (String pattern : patterns) {
                Subscription sub = c.subscriptions.remove(pattern);
                if (sub != null) {
                    removed.add(sub);
                }
            }
            // under the publish lock: no event of these subscriptions follows the answer. A close may be
            // releasing the same subscriptions meanwhile: whoever removes one from the index counts it
            hub.metrics.subscriptionCount.add(-hub.fanout.unindex(removed));
        }
        out.answer(new ServerMessage.Unsubscribed(u.ref(), patterns));
    }

    /** @return the compiled filter, or {@code null} */
    static Filter filter(JsonNode filter, String ref) throws ProtocolException {
        return filter == null ? null : Filter.compile(filter, ref);
    }
}
