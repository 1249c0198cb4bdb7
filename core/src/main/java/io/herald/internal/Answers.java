package io.herald.internal;

import io.herald.spi.ServerMessage;

/**
 * Where a request's answer goes: into the connection's own queue (WebSocket, where answers travel with
 * events), or back to the caller of a control request (SSE, whose answers travel in HTTP responses).
 */
interface Answers {
    /** @param message the answer or error */
    void answer(ServerMessage message);

    /**
     * @return whether answers go into the connection's queue; then answers that must stay in order with
     *     events (subscribed before the replay, joined before presence) are queued under the publish lock
     */
    boolean queued();

    /**
     * @param room the room a join without a {@code ref} asked for (an SSE stream's URL names it)
     * @return answers that go where these go, an error naming the room, so the client can tell which join
     *     it refuses
     */
    default Answers aboutRoom(String room) {
        Answers to = this;
        return new Answers() {
            @Override
            public void answer(ServerMessage message) {
                to.answer(message instanceof ServerMessage.Error e ? e.aboutRoom(room) : message);
            }

            @Override
            public boolean queued() {
                return to.queued();
            }
        };
    }

    /** Answers queued to the connection, in order with its events. */
    record Queue(HubEngine hub, Connection connection) implements Answers {
        @Override
        public void answer(ServerMessage message) {
            hub.reply(connection, message);
        }

        @Override
        public boolean queued() {
            return true;
        }
    }

    /** Keeps the answer for the caller; a request produces exactly one. */
    final class Capture implements Answers {
        private ServerMessage answer;

        @Override
        public void answer(ServerMessage message) {
            if (answer == null) {
                answer = message;
            }
        }

        @Override
        public boolean queued() {
            return false;
        }

        /** @return the answer, or {@code null} if the request produced none (the connection closed) */
        ServerMessage answer() {
            return answer;
        }
    }
}
