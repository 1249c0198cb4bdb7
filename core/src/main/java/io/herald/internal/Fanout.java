package io.herald.internal;

import io.herald.Member;
import io.herald.spi.Authorizer;
import io.herald.spi.Codec;
import io.herald.spi.Framing;
import io.herald.spi.HistoryLog;
import io.herald.spi.OutboundFrame;
import io.herald.spi.Replay;
import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flow of one event: the history log assigns its id, the pattern index (or the room table) finds the
 * recipients, the event is encoded once per framing, and the same bytes are offered to each recipient's
 * bounded queue. Slow consumers are closed, and writers start, only after the lock is released, except that
 * a large fan-out hands each full chunk of writers to the fan-out threads while it queues the rest (see
 * {@link Deliveries}); no I/O happens under the lock either way.
 *
 * <p>The publish lock sequences appends and queueing, so every connection receives events in log order
 * and a resume seam can be closed exactly. It covers no I/O, and of the application's code only the
 * authorizer's {@code mayReceive} and the codec; its cost is the queueing work of one event.
 *
 * <p>A check that throws for one recipient (the authorizer's {@code mayReceive}, a subscription filter) skips
 * that recipient only, which takes no later frame and is closed with 1011 once the lock is released (its client
 * resumes from before the event it missed); the failure is logged and reported to the listeners. A codec that
 * cannot encode the event does the same to every recipient of it: their clients resume, and the replay, which
 * leaves the event out, says it is not recovered. Whatever throws, the writers already marked
 * running are started; once an event is in the log, its publish returns it.
 */
final class Fanout implements PatternIndex.Visitor<Subscription> {
    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final PatternIndex<Subscription> index;
    private final RoomTable rooms;
    private final HistoryLog history;
    private final Codec codec;
    private final Authorizer authorizer;
    private final Metrics metrics;
    private final Clock clock;
    private final int maxHeld;
    private final Consumer<Connection> slowConsumer;
    /** Closes a connection that missed an event because a check threw for it, so that its client resumes. */
    private final Consumer<Connection> missedEvent;
    /** Reports a failure to the application's listeners, with the connection concerned or {@code null}. */
    private final BiConsumer<String, Throwable> errors;
    /** Where a large fan-out's writers start; {@code null}: on the publishing thread. */
    private final FanoutThreads threads;

    /** Publish lock: the event being delivered, its stamp, and the scratch of the thread delivering it. */
    private EncodedEvent current;
    private long stamp;
    private Deliveries pending;
    /** Publish lock: the recipients skipped because a check threw for them; {@code null}: none. */
    private List<Failure> failures;
    /** Publish lock: the id of the newest event this hub appended, {@code null} before the first. */
    private String lastId;
    /** The id of the first event this hub appended, {@code null} before it; written once, under the lock. */
    private volatile String firstId;

    /**
     * A recipient skipped because its authorizer or filter check threw, or because the event could not be
     * encoded for it ({@code unencodable}).
     */
    private record Failure(Connection connection, RuntimeException error, boolean unencodable) {
    }

    Fanout(PatternIndex<Subscription> index, RoomTable rooms, HistoryLog history, Codec codec, Authorizer authorizer,
            Metrics metrics, Clock clock, int maxHeld, Consumer<Connection> slowConsumer,
            Consumer<Connection> missedEvent, BiConsumer<String, Throwable> errors, FanoutThreads threads) {
        this.index = index;
        this.rooms = rooms;
        this.history = history;
        this.codec = codec;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.clock = clock;
        this.maxHeld = maxHeld;
        this.slowConsumer = slowConsumer;
        this.missedEvent = missedEvent;
        this.errors = errors;
        this.threads = threads;
    }

    /**
     * Publishes to a topic's subscribers.
     *
     * @param topic a valid topic
     * @param data the payload as JSON
     * @param from the publishing connection, or {@code null}
     * @return the stored event
     */
    StoredEvent publish(String topic, byte[] data, String from) {
        String[] segments = Topics.split(topic);
        return sequence(topic, data, null, from, null, () -> index.match(segments, this));
    }

    /**
     * Emits into a room.
     *
     * @param room a valid room
     * @param topic a valid topic
     * @param data the payload as JSON
     * @param from the publishing connection, or {@code null}
     * @param except a connection id that does not receive it, or {@code null}
     * @return the stored event
     */
    StoredEvent emit(String room, String topic, byte[] data, String from, String except) {
        return sequence(topic, data, room, from, null, () -> {
            for (RoomTable.Entry e : rooms.members(room)) {
                if (except == null || !except.equals(e.connection().id())) {
                    deliver(e.connection(), e.connection().outbound, e.connection().framing(), current);
                }
            }
        });
    }

    /**
     * Sends an event to chosen connections, whatever their subscriptions.
     *
     * @param targets the recipients
     * @param addressee what the log records as the addressee (a connection or user id)
     * @param topic a valid topic
     * @param data the payload as JSON
     * @return the stored event
     */
    StoredEvent direct(Collection<Connection> targets, String addressee, String topic, byte[] data) {
        return sequence(topic, data, null, null, addressee, () -> {
            for (Connection c : targets) {
                deliver(c, c.outbound, c.framing(), current);
            }
        });
    }

    /**
     * Appends an event to the log and queues it to the recipients the callback visits, all under the
     * publish lock; then starts writers, closes slow consumers and reports failures outside it. Only a
     * failing append throws: once the event is in the log it is published. A check or an encoding that fails
     * for a recipient skips that recipient ({@link #skip}); any other failure while queueing it is reported,
     * not thrown, so that the publisher is not told otherwise.
     */
    private StoredEvent sequence(String topic, byte[] data, String room, String from, String to, Runnable recipients) {
        Deliveries d = Deliveries.acquire(threads);
        StoredEvent event = null;
        RuntimeException queueing = null;
        List<Failure> failed;
        int delivered;
        lock.lock();
        try {
            event = history.append(topic, data, clock.millis(), room, from, to);
            if (lastId == null) {
                firstId = event.id();
            }
            lastId = event.id();
            current = new EncodedEvent(event, codec, true);
            stamp++;
            pending = d;
            recipients.run();
        } catch (RuntimeException e) {
            if (event == null) {
                throw e;
            }
            queueing = e;
        } finally {
            failed = failures;
            failures = null;
            current = null;
            pending = null;
            lock.unlock();
            delivered = d.finish(slowConsumer);
        }
        metrics.published.increment();
        metrics.delivered.add(delivered);
        if (failed != null) {
            reportSkipped(failed, event, topic);
        }
        if (queueing != null) {
            LOG.error("queueing event {} of {} failed; recipients not yet queued miss it", event.id(), topic,
                    queueing);
            errors.accept(null, queueing);
        }
        return event;
    }

    /** Closes the recipients skipped for an event, so that their clients resume, and reports why. */
    private void reportSkipped(List<Failure> failed, StoredEvent event, String topic) {
        int unencodable = 0;
        RuntimeException encoding = null;
        for (Failure f : failed) {
            try {
                missedEvent.accept(f.connection());
            } catch (RuntimeException e) {
                // (its close tells its rooms, with the same codec): the other skipped ones must still be closed,
                // or they would take no frame ever again
                LOG.error("closing {}, which missed event {} of {}, failed", f.connection().id(), event.id(), topic,
                        e);
            }
            if (f.unencodable()) {
                // one line for the event, however many recipients: the codec fails alike for each
                unencodable++;
                encoding = f.error();
            } else {
                LOG.warn("skipped {} for event {} of {}: its authorizer or filter check failed; closed it so that"
                        + " its client resumes", f.connection().id(), event.id(), topic, f.error());
            }
            errors.accept(f.connection().id(), f.error());
        }
        if (encoding != null) {
            LOG.error("the codec cannot encode event {} of {}: closed the {} recipient(s) that needed it, so that"
                    + " their clients resume without it (not recovered)", event.id(), topic, unencodable, encoding);
        }
    }

    /** Skips a recipient of the current event: it takes no later frame and is closed once the lock is released. */
    private void skip(Connection c, RuntimeException error, boolean unencodable) {
        // once per event, whatever else of the connection matches it
        c.outbound.deliveryStamp = stamp;
        // under the lock: no later event may reach this connection before it is closed
        c.outbound.stopTaking();
        if (failures == null) {
            failures = new ArrayList<>(2);
        }
        failures.add(new Failure(c, error, unencodable));
    }

    @Override
    public void visit(Subscription s) {
        Outbound o = s.outbound;
        if (o.deliveryStamp == stamp) {
            return;
        }
        try {
            if (s.wildcard && !s.connection.mayReceive(current.event.topic(), authorizer::mayReceive)) {
                return;
            }
            if (s.filter != null && !s.filter.test(current.data())) {
                return;
            }
        } catch (RuntimeException e) {
            skip(s.connection, e, false);
            return;
        }
        deliver(s.connection, o, s.framing, current);
    }

    /**
     * Queues the current event to a recipient, or holds it while the recipient's resume is prepared. The frame
     * is encoded here even when held, so that a codec failure skips the recipient at once, as a failed check
     * does, instead of failing its resume later.
     */
    private void deliver(Connection c, Outbound o, Framing framing, EncodedEvent e) {
        o.deliveryStamp = stamp;
        OutboundFrame frame;
        try {
            frame = e.frame(framing);
        } catch (RuntimeException unencodable) {
            skip(c, unencodable, true);
            return;
        }
        if (o.held != null) {
            hold(o, e);
            return;
        }
        pending.offerEvent(o, frame, e, framing);
    }

    /**
     * Starts holding live events for a connection whose new subscriptions are being prepared, and changes
     * the index for them at the same point of the log: every event appended before it was matched without
     * them, every event after it with them (and without the subscriptions they replace).
     *
     * @param c the connection
     * @param added subscriptions to add to the index; their {@link Subscription#coveredAfter} is set to
     *     the returned position
     * @param replaced subscriptions to remove from it
     * @return the log position of this point: the id of the newest event this hub appended, or {@code null}
     *     before the first; see {@link #appendedAfter}
     */
    String hold(Connection c, List<Subscription> added, List<Subscription> replaced) {
        lock.lock();
        try {
            c.outbound.held = new ArrayList<>();
            c.outbound.heldOverflow = false;
            for (Subscription s : added) {
                index.add(s.pattern, s);
                s.coveredAfter = lastId;
            }
            for (Subscription s : replaced) {
                index.remove(s.pattern, s);
            }
            return lastId;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes subscriptions from the index under the publish lock, so that an event being matched meanwhile
     * is queued before the caller's answer or not at all.
     *
     * @param removed the subscriptions to remove
     * @return how many were still in the index (a close releasing the same ones meanwhile counts the others)
     */
    int unindex(List<Subscription> removed) {
        int n = 0;
        lock.lock();
        try {
            for (Subscription s : removed) {
                if (index.remove(s.pattern, s)) {
                    n++;
                }
            }
        } finally {
            lock.unlock();
        }
        return n;
    }

    /**
     * @param id the id of an event of the log's current epoch
     * @param position a position from {@link #hold} or an id of the log; {@code null}: before this hub's
     *     first append
     * @return whether the log appended the event after that position (an id of an older epoch is before
     *     every event of the current one)
     */
    boolean appendedAfter(String id, String position) {
        String from = position != null ? position : firstId;
        if (from == null) {
            return false;
        }
        try {
            int order = history.compare(id, from);
            return position != null ? order > 0 : order >= 0;
        } catch (IllegalArgumentException otherEpoch) {
            return true;
        }
    }

    /**
     * @param id an id of the log
     * @param position a position as for {@link #appendedAfter}
     * @return whichever of the two comes first in the log
     */
    String earlier(String id, String position) {
        return appendedAfter(id, position) ? position : id;
    }

    /**
     * Ends holding: queues the answer, then the replayed events merged in log order with the live events held
     * meanwhile (each once), then lets live events flow again. The held events are always queued; the events
     * only the replay has are queued as far as they fit the queue's spare room, the newest kept (see
     * {@link ResumeSeam}), and the replay is not recovered when some are left out.
     *
     * @param c the connection
     * @param answerFor builds the answer to queue before the replay ({@code subscribed}, or {@code connected}
     *     for a subscription made when opening) from the replay as queued; {@code null} when the answer goes
     *     elsewhere. Called without the lock, for each outcome the replay may have.
     * @param replay the history read for a resume, or {@code null}
     * @param heldFrom the position {@link #hold} returned for this replay
     * @return the replay as queued, or {@code null} without one; when the held events overflowed, the
     *     connection is closed as a slow consumer and nothing was queued: an empty replay, not recovered
     */
    Replay release(Connection c, Function<Replay, ServerMessage> answerFor, Replay replay, String heldFrom) {
        Framing framing = c.framing();
        // Over SSE a browser resumes from the last id it read. A later subscription's replay brings events
        // older than ones the stream delivered before: each is followed by an id-only block back to the point
        // the stream had reached when holding began (everything due to it up to there was queued before the
        // replay), so the browser's id never moves back, wherever the stream ends. A stream's first replay
        // needs none: it had delivered nothing.
        String restore = framing == Framing.SSE && c.started ? heldFrom : null;
        List<EncodedEvent> replayed = new ArrayList<>(replay == null ? 0 : replay.events().size());
        List<RuntimeException> unencodable = null;
        if (replay != null) {
            for (StoredEvent e : replay.events()) {
                try {
                    EncodedEvent encoded = new EncodedEvent(e, codec, false,
                            restore != null && appendedAfter(restore, e.id()) ? restore : null);
                    encoded.frame(framing);
                    replayed.add(encoded);
                } catch (RuntimeException failure) {
                    // the codec cannot encode it: the replay goes on without it, and is not recovered
                    unencodable = unencodable == null ? new ArrayList<>(2) : unencodable;
                    unencodable.add(failure);
                }
            }
            if (unencodable != null) {
                List<StoredEvent> kept = new ArrayList<>(replayed.size());
                replayed.forEach(e -> kept.add(e.event));
                replay = new Replay(false, kept);
                for (RuntimeException failure : unencodable) {
                    LOG.warn("left an event out of {}'s replay: the codec cannot encode it", c.id(), failure);
                    errors.accept(c.id(), failure);
                }
            }
        }
        Replay cut = replay == null || !replay.recovered() ? replay : new Replay(false, replay.events());
        OutboundFrame whole;
        OutboundFrame partial;
        try {
            whole = answerFor == null ? null : frameOf(c, answerFor.apply(replay));
            partial = answerFor == null || cut == replay ? whole : frameOf(c, answerFor.apply(cut));
        } catch (RuntimeException e) {
            // the answer cannot be encoded: still end holding, so the live events held meanwhile flow
            release(c, null, null, heldFrom);
            throw e;
        }
        int answerFrames = whole == null ? 0 : 1;
        long answerBytes = Math.max(length(whole), length(partial));
        Deliveries d = Deliveries.acquire(threads);
        boolean overflow;
        int delivered;
        ResumeSeam seam = null;
        lock.lock();
        try {
            pending = d;
            List<EncodedEvent> held = c.outbound.held;
            c.outbound.held = null;
            overflow = c.outbound.heldOverflow;
            if (!overflow) {
                // and the browser's id ends on the log's newest, by which every event due here is queued
                OutboundFrame cursor = framing == Framing.SSE && c.started && !replayed.isEmpty() && lastId != null
                        ? OutboundFrame.message(SseFrames.cursor(lastId), false) : null;
                seam = ResumeSeam.stitch(history, replayed, held, framing,
                        c.outbound.spareFrames() - answerFrames - (cursor == null ? 0 : 1),
                        c.outbound.spareBytes() - answerBytes - length(cursor));
                d.offer(c.outbound, seam.complete() ? whole : partial, false);
                List<EncodedEvent> queued = seam.events();
                for (EncodedEvent e : queued) {
                    // held presence frames are queued in their place but are no delivered events
                    d.offer(c.outbound, e.frame(framing), e.event != null);
                }
                EncodedEvent last = queued.isEmpty() ? null : queued.get(queued.size() - 1);
                String browserAt = last == null || last.event == null ? null
                        : last.sseThenId() != null ? last.sseThenId() : last.event.id();
                if (cursor != null && !queued.isEmpty() && !lastId.equals(browserAt)) {
                    d.offer(c.outbound, cursor, false);
                }
            }
        } finally {
            pending = null;
            lock.unlock();
            delivered = d.finish(slowConsumer);
        }
        if (overflow) {
            slowConsumer.accept(c);
            return replay == null ? null : new Replay(false, List.of());
        }
        metrics.delivered.add(delivered);
        if (replay == null || seam.complete()) {
            return replay;
        }
        return new Replay(false, seam.replayed());
    }

    private static int length(OutboundFrame f) {
        return f == null ? 0 : f.length();
    }

    /**
     * Changes room membership and tells the other members, in order with the room's events.
     *
     * @param room the room
     * @param entry the member joining, or {@code null} to remove {@code leaving}
     * @param leaving the connection leaving, when {@code entry} is {@code null}
     * @param answer an answer for the connection concerned, queued before the presence frames, or {@code null}
     * @param d where the frames are queued; the caller calls {@link #finishMembership} once it holds no
     *     connection's control lock (finishing may close another connection, which takes that one's lock)
     * @param maxMembers on join, how many members the room may have at most; 0 for no limit (and on leave)
     * @return the entry removed on leave, or the entry added on join; {@code null} when leaving a room the
     *     connection was not in, or joining a full one (nothing is sent then)
     * @throws AnswerTooLarge on join, when the answer with the room's members could never fit in the joining
     *     connection's queue: the join is undone and nothing is sent
     */
    RoomTable.Entry membership(String room, RoomTable.Entry entry, Connection leaving, ServerMessage answer,
            Deliveries d, int maxMembers) {
        RoomTable.Entry changed;
        lock.lock();
        try {
            pending = d;
            Connection subject = entry != null ? entry.connection() : leaving;
            boolean answering = answer != null && subject.isOpen();
            OutboundFrame answerFrame = null;
            if (entry != null) {
                if (maxMembers > 0 && rooms.members(room).length >= maxMembers) {
                    // checked here, under the lock that adds members, so joins at once cannot overfill it
                    return null;
                }
                if (answering && answer instanceof ServerMessage.Joined j) {
                    // before the member is added: a join refused here was never seen by anyone
                    answerFrame = joinedFrame(subject, j.ref(), room, entry.member());
                }
                rooms.add(room, entry);
                changed = entry;
            } else {
                changed = rooms.remove(room, leaving);
            }
            if (answering) {
                d.offer(subject.outbound, answerFrame != null ? answerFrame : frameOf(subject, answer), false);
            }
            if (changed != null) {
                Member m = changed.member();
                ServerMessage presence = new ServerMessage.Presence(room, entry != null ? "join" : "leave", m);
                OutboundFrame ws = null;
                OutboundFrame sse = null;
                for (RoomTable.Entry other : rooms.members(room)) {
                    Connection oc = other.connection();
                    if (oc == subject) {
                        continue;
                    }
                    OutboundFrame f;
                    if (oc.framing() == Framing.SSE) {
                        sse = sse != null ? sse : Frames.encode(codec, presence, Framing.SSE);
                        f = sse;
                    } else {
                        ws = ws != null ? ws : Frames.encode(codec, presence, Framing.WEBSOCKET);
                        f = ws;
                    }
                    offerOrHold(d, oc.outbound, f);
                }
            }
        } finally {
            pending = null;
            lock.unlock();
        }
        return changed;
    }

    /**
     * The answer to a join, with the room's members, is larger than the joining connection's queue could ever
     * hold. Unchecked so that it leaves {@link #membership} through its {@code finally}; carries no stack trace.
     */
    static final class AnswerTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** The encoded answer's size in bytes. */
        final int bytes;

        AnswerTooLarge(int bytes) {
            super(null, null, false, false);
            this.bytes = bytes;
        }
    }

    /**
     * Answers a repeated join with the room's members, under the publish lock like a first join's answer,
     * so that it agrees with the presence frames queued before and after it.
     *
     * @param c the connection, already a member
     * @param ref the join's ref
     * @param room the room
     * @param d where the frame is queued; the caller calls {@link #finishMembership}
     * @throws AnswerTooLarge when the answer could never fit in the connection's queue (nothing is sent)
     */
    void answerMembers(Connection c, String ref, String room, Deliveries d) {
        lock.lock();
        try {
            pending = d;
            if (!c.isOpen()) {
                return;
            }
            d.offer(c.outbound, joinedFrame(c, ref, room, null), false);
        } finally {
            pending = null;
            lock.unlock();
        }
    }

    /**
     * The answer to a join with the room's members, and {@code joining} after them when it is not added yet.
     * Publish lock.
     *
     * @return the encoded answer; {@code null} when the connection's framing has no such frame
     * @throws AnswerTooLarge when the connection's queue could never hold it
     */
    private OutboundFrame joinedFrame(Connection c, String ref, String room, Member joining) {
        List<Member> members = rooms.memberList(room);
        if (joining != null) {
            members.add(joining);
        }
        OutboundFrame f = frameOf(c, new ServerMessage.Joined(ref, room, members));
        if (f != null && !c.outbound.canEverHold(f)) {
            throw new AnswerTooLarge(f.length());
        }
        return f;
    }

    /**
     * Queues a frame that is no event, or holds it among the live events a resume holds, so that it keeps
     * its place after the events delivered before it.
     */
    private void offerOrHold(Deliveries d, Outbound o, OutboundFrame f) {
        if (o.held == null) {
            d.offer(o, f, false);
        } else {
            hold(o, EncodedEvent.notAnEvent(f));
        }
    }

    private void hold(Outbound o, EncodedEvent e) {
        if (o.held.size() >= maxHeld) {
            o.heldOverflow = true;
        } else {
            o.held.add(e);
        }
    }

    private OutboundFrame frameOf(Connection c, ServerMessage m) {
        return Frames.encode(codec, m, c.framing());
    }

    /**
     * @return this thread's scratch for {@link #membership}, handing large fan-outs to this hub's fan-out
     *     threads like a publish
     */
    Deliveries deliveries() {
        return Deliveries.acquire(threads);
    }

    /**
     * Starts the writers and closes the slow consumers collected in {@code d}. Call with no connection's
     * control lock held.
     *
     * @param d deliveries from {@link #deliveries}, filled by {@link #membership}
     */
    void finishMembership(Deliveries d) {
        d.finish(slowConsumer);
    }
}
