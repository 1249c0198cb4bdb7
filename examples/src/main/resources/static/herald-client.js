// Herald browser client: a plain ES module with no dependencies, speaking the herald.v1 protocol.
//
//   import { HeraldClient } from './herald-client.js';
//   const client = new HeraldClient('ws://localhost:8080/ws', { token: 'user:ann' });
//   client.on('task.*', (event) => console.log(event.topic, event.data));
//   await client.connect();
//   await client.subscribe(['task.*']);
//
// After a dropped connection it reconnects with exponential backoff and jitter, subscribes again to what
// the server confirmed, with `since` (the resume point, so the server replays what was missed), joins its
// rooms again and drops any event whose id it has already delivered. examples/README.md describes it.

import { openSse, sseRequest } from './herald-sse.js';

/** An error answered by the server (`code` is the protocol's error code) or raised by this client. */
export class HeraldError extends Error {
  constructor(code, message, frame = null) {
    super(message);
    this.name = 'HeraldError';
    this.code = code;
    this.frame = frame;
  }
}

/** A request whose answer did not arrive in time. */
export class HeraldTimeoutError extends HeraldError {
  constructor(message) {
    super('TIMEOUT', message);
    this.name = 'HeraldTimeoutError';
  }
}

/** A request that could not be answered because the connection is closed or went away. */
export class HeraldConnectionError extends HeraldError {
  constructor(message) {
    super('DISCONNECTED', message);
    this.name = 'HeraldConnectionError';
  }
}

/**
 * Whether a topic matches a pattern, with the server's semantics: `*` is exactly one segment, `**` is
 * zero or more segments in any position.
 */
export function topicMatches(pattern, topic) {
  return matchSegments(pattern.split('.'), 0, topic.split('.'), 0);
}

function matchSegments(p, i, t, j) {
  while (i < p.length) {
    if (p[i] === '**') {
      if (i === p.length - 1) return true;
      for (let k = j; k <= t.length; k++) {
        if (matchSegments(p, i + 1, t, k)) return true;
      }
      return false;
    }
    if (j >= t.length || (p[i] !== '*' && p[i] !== t[j])) return false;
    i++;
    j++;
  }
  return j === t.length;
}

const DEFAULTS = {
  token: null,
  protocols: ['herald.v1'],
  reconnect: {
    initialDelayMs: 250, maxDelayMs: 10000, factor: 2, jitter: 0.5, maxAttempts: Infinity, resetAfterMs: 5000,
  },
  requestTimeoutMs: 10000,
  dedupeWindow: 5000,
  sseUrl: null,
  sseAfterFailures: 3,
};

// Answers to a restoring subscribe or join that will not change by asking again: the pattern or room is
// forgotten. Any other failure (RATE_LIMITED, INTERNAL, TIMEOUT, a failed HTTP request) is retried.
const PERMANENT = new Set([
  'FORBIDDEN', 'UNAUTHORIZED', 'INVALID_TOPIC', 'BAD_REQUEST', 'UNKNOWN_TYPE', 'NOT_FOUND', 'TOO_LARGE',
  'LIMIT_EXCEEDED', 'UNSUPPORTED',
]);

// After the last restoring subscribe over SSE was answered, how long its replay is given to come down the
// stream before the resume point moves on (SSE has no in-band marker like WebSocket's pong).
const SSE_REPLAY_SETTLE_MS = 1000;

/** The error code for a 1008 close, from its reason (docs/protocol.md, "Why a stream ended"). */
function refusalCode(reason) {
  return reason === 'unauthorized' ? 'UNAUTHORIZED' : 'FORBIDDEN';
}

/** A connection to a Herald server that survives restarts. States: idle, connecting, open, reconnecting, closed. */
export class HeraldClient {
  constructor(url, options = {}) {
    this.url = url;
    this.options = { ...DEFAULTS, ...options, reconnect: { ...DEFAULTS.reconnect, ...(options.reconnect || {}) } };
    this._WebSocket = options.WebSocket || globalThis.WebSocket;
    this._EventSource = options.EventSource || globalThis.EventSource;
    this._random = options.random || Math.random;
    this.state = 'idle';
    this.connection = null;
    this.lastEventId = null;
    this.transport = null;
    this.attempts = 0;
    this._failuresBeforeOpen = 0;
    this._useSse = false;
    this._sseConnected = false;
    this._socket = null;
    this._sse = null;
    this._timer = null;
    this._stableTimer = null;
    this._epoch = 0;
    this._resumeFrom = null;
    this._restoring = false;
    this._nextRef = 1;
    this._pending = new Map();
    this._handlers = [];
    this._listeners = { state: [], connected: [], reconnect: [], joined: [], presence: [], error: [], gap: [], close: [] };
    // pattern -> { filter, key }: what the server confirmed, one entry per pattern with its latest filter
    this._subscriptions = new Map();
    this._rooms = new Map();
    this._seen = new Set();
    this._seenOrder = [];
    this._openWaiters = [];
    this._restoreWaiters = new Set();
  }

  /**
   * Where the next connection resumes from: the last event id delivered, except while a connection is
   * still restoring its subscriptions; then it stays the id the restore started from, so that a group
   * whose replay has not arrived yet is not resumed past its gap.
   */
  get resumePoint() {
    return this._restoring ? this._resumeFrom : this.lastEventId;
  }

  /** Registers a handler for events whose topic matches `pattern`; returns a function that removes it. */
  on(pattern, handler) {
    const entry = { pattern, handler };
    this._handlers.push(entry);
    return () => { this._handlers = this._handlers.filter((h) => h !== entry); };
  }

  /**
   * Listens to `state`, `connected`, `reconnect` ({attempt, delayMs} before each retry), `joined`,
   * `presence`, `error`, `gap` or `close`; returns a remover.
   */
  addListener(kind, listener) {
    this._listeners[kind].push(listener);
    return () => { this._listeners[kind] = this._listeners[kind].filter((l) => l !== listener); };
  }

  /** Opens the connection; resolves with the `connected` frame. Reconnects by itself from then on. */
  connect() {
    if (this.state === 'idle' || this.state === 'closed') {
      this._stopped = false;
      this._open();
    }
    return this._whenOpen(this.options.requestTimeoutMs);
  }

  /** Closes for good: no reconnect; pending requests fail. */
  close() {
    this._stopped = true;
    this._epoch++;
    clearTimeout(this._timer);
    clearTimeout(this._stableTimer);
    if (this._socket) this._socket.close(1000, 'normal');
    if (this._sse) this._sse.close();
    this._socket = null;
    this._sse = null;
    this._failPending(new HeraldConnectionError('client closed'));
    this._rejectWaiters(new HeraldConnectionError('client closed'));
    this._setState('closed');
  }

  /**
   * Subscribes to patterns; resolves with the `subscribed` frame. Only once the server confirmed them are
   * they remembered and restored after reconnects (a refused subscribe changed nothing on the server, so
   * it changes nothing here). A pattern subscribed again with another filter keeps the latest filter.
   * Before the connection is open it waits for it (within `requestTimeoutMs`).
   */
  async subscribe(topics, { filter } = {}) {
    const frame = { type: 'subscribe', topics };
    if (filter) frame.filter = filter;
    const answer = await this.request(frame);
    const key = filter ? JSON.stringify(filter) : '';
    topics.forEach((t) => this._subscriptions.set(t, { filter: filter || null, key }));
    return answer;
  }

  /** Removes patterns (forgotten at once, so they are never restored); resolves with the `unsubscribed` frame. */
  unsubscribe(topics) {
    topics.forEach((t) => this._subscriptions.delete(t));
    return this.request({ type: 'unsubscribe', topics });
  }

  /**
   * Joins a room (rejoined after reconnects); resolves with the `joined` frame and its members. Asked
   * while not connected, the room is joined when the connection opens (over SSE: named in the stream's
   * URL). Over SSE a room that is not in the stream's URL cannot be joined: `UNSUPPORTED`.
   */
  join(room, meta) {
    const m = meta === undefined ? null : meta;
    if (this.state === 'open') {
      const frame = { type: 'join', room };
      if (meta !== undefined) frame.meta = meta;
      return this.request(frame).then((answer) => {
        this._rooms.set(room, m);
        return answer;
      });
    }
    if (this._sse) {
      // the stream is opening: its URL, which alone joins rooms over SSE, is already sent
      return Promise.reject(new HeraldError('UNSUPPORTED', `join ${room}: the SSE stream is already opening without it`));
    }
    if (this.state === 'closed' || this.state === 'idle') {
      return Promise.reject(new HeraldConnectionError(`not connected (${this.state}); call connect() first`));
    }
    this._rooms.set(room, m);
    return this._afterRestore('room:' + room);
  }

  // Resolves with the answer to the request that restores `target` once connected (a room's join).
  _afterRestore(target) {
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, target };
      waiter.timer = setTimeout(() => {
        this._restoreWaiters.delete(waiter);
        // not connected in time
        reject(new HeraldTimeoutError(`${target} not joined within ${this.options.requestTimeoutMs} ms`));
      }, this.options.requestTimeoutMs);
      this._restoreWaiters.add(waiter);
    });
  }

  _settleRestore(target, answer, error) {
    for (const w of this._restoreWaiters) {
      if (w.target !== target) continue;
      this._restoreWaiters.delete(w);
      clearTimeout(w.timer);
      if (error) w.reject(error);
      else w.resolve(answer);
    }
  }

  /** Leaves a room; resolves with the `left` frame. */
  leave(room) {
    this._rooms.delete(room);
    return this.request({ type: 'leave', room });
  }

  /** Publishes to a topic; resolves with the `published` frame (its `id`). */
  publish(topic, data) {
    return this.request({ type: 'publish', topic, data });
  }

  /** Publishes into a joined room; `echo: false` leaves the sender out. */
  publishToRoom(room, topic, data, { echo = true } = {}) {
    return this.request({ type: 'publish', room, topic, data, echo });
  }

  /** Sends to a server route; resolves with the handler's reply data. */
  async send(route, data) {
    const reply = await this.request({ type: 'send', route, data });
    return reply.data;
  }

  /** Resolves with the `pong` frame. */
  ping() {
    return this.request({ type: 'ping' });
  }

  /**
   * Sends a frame with a fresh `ref` and resolves with the answer carrying the same `ref`; rejects with
   * a HeraldError (the server's `error` frame), a HeraldTimeoutError or a HeraldConnectionError.
   * Waits for the connection to be open, within the same timeout.
   */
  async request(frame, { timeoutMs = this.options.requestTimeoutMs } = {}) {
    const deadline = Date.now() + timeoutMs;
    await this._whenOpen(timeoutMs);
    const ref = String(this._nextRef++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(ref);
        reject(new HeraldTimeoutError(`no answer to ${frame.type} within ${timeoutMs} ms`));
      }, Math.max(0, deadline - Date.now()));
      this._pending.set(ref, { resolve, reject, timer });
      try {
        this._transmit({ ...frame, ref });
      } catch (e) {
        clearTimeout(timer);
        this._pending.delete(ref);
        reject(e instanceof HeraldError ? e : new HeraldConnectionError(String(e)));
      }
    });
  }

  _whenOpen(timeoutMs) {
    if (this.state === 'open') return Promise.resolve(this.connection);
    if (this.state === 'closed' || this.state === 'idle') {
      return Promise.reject(new HeraldConnectionError(`not connected (${this.state})`));
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      waiter.timer = setTimeout(() => {
        this._openWaiters = this._openWaiters.filter((w) => w !== waiter);
        reject(new HeraldTimeoutError(`not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      this._openWaiters.push(waiter);
    });
  }

  _open() {
    this._setState(this.attempts === 0 ? 'connecting' : 'reconnecting');
    const epoch = ++this._epoch;
    // The resume point is fixed for as long as the restore has not completed, across connections.
    if (!this._restoring) {
      this._resumeFrom = this.lastEventId;
      this._restoring = true;
    }
    const { sseUrl, sseAfterFailures } = this.options;
    if (sseUrl && this._EventSource && (this._useSse || this._failuresBeforeOpen >= sseAfterFailures)) {
      this._useSse = true;
      this._openSse(epoch);
      return;
    }
    let url = this.url;
    if (this.options.token) url += (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(this.options.token);
    let socket;
    try {
      socket = new this._WebSocket(url, this.options.protocols);
    } catch (e) {
      this._onTransportClosed(1006, String(e), false);
      return;
    }
    this._socket = socket;
    let opened = false;
    socket.onopen = () => { opened = true; };
    socket.onmessage = (m) => { if (this._epoch === epoch) this._onText(m.data); };
    socket.onclose = (c) => {
      if (this._socket !== socket) return;
      this._socket = null;
      this._onTransportClosed(c.code, c.reason, opened);
    };
  }

  // Each stream gets a URL built from what is subscribed now: unfiltered patterns and rooms, resuming
  // from the resume point. Filtered patterns are subscribed over POST once it is connected (_restoreSse).
  _openSse(epoch) {
    const topics = [...this._subscriptions].filter(([, s]) => s.filter === null).map(([t]) => t);
    const rooms = [...this._rooms.keys()];
    this._sseUrlTopics = new Set(topics);
    this._sseUrlRooms = rooms;
    this._sse = openSse({
      EventSource: this._EventSource,
      url: this.options.sseUrl,
      token: this.options.token,
      topics,
      rooms,
      lastEventId: this._resumeFrom,
      onFrame: (frame) => { if (this._epoch === epoch) this._onFrame(frame); },
      onEnded: (source, { opened, closeCode, reason }) => {
        if (this._sse !== source) return;
        this._sse = null;
        if (!opened && !this._sseConnected) {
          // never reached the server's stream: go back to trying WebSocket
          this._useSse = false;
          this._failuresBeforeOpen = 0;
        }
        this._onTransportClosed(closeCode === undefined ? 1006 : closeCode, reason || 'sse-ended', opened);
      },
    });
  }

  _transmit(frame) {
    if (this._socket && this._socket.readyState === 1) {
      this._socket.send(JSON.stringify(frame));
      return;
    }
    if (this._sse && this.transport === 'sse' && this.state === 'open') {
      const epoch = this._epoch;
      sseRequest(this.options.sseUrl, this.connection, frame, this.options.token)
        .then((answer) => { if (this._epoch === epoch) this._onFrame(answer); });
      return;
    }
    throw new HeraldConnectionError('not connected');
  }

  _onText(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch (e) {
      this._emit('error', new HeraldError('BAD_FRAME', 'the server sent a frame that is not JSON'));
      return;
    }
    this._onFrame(frame);
  }

  _onFrame(frame) {
    switch (frame.type) {
      case 'batch': frame.frames.forEach((f) => this._onFrame(f)); return;
      case 'connected': this._onConnected(frame); return;
      case 'event': this._onEvent(frame); return;
      case 'presence': this._emit('presence', frame); return;
      default: break;
    }
    const pending = frame.ref !== undefined ? this._pending.get(frame.ref) : undefined;
    if (frame.type === 'joined') {
      this._emit('joined', frame);
      // over SSE the stream's URL joins its rooms; each one's members arrive after `connected` (and the replay)
      if (this.transport === 'sse' && frame.ref === undefined) this._settleRestore('room:' + frame.room, frame, null);
    }
    if (frame.type === 'error' && this.transport === 'sse' && frame.ref === undefined && frame.room !== undefined) {
      // a room in the stream's URL that the server refused (its member list would not fit, or it filled
      // meanwhile): the join is settled now, and the room forgotten like a refused rejoin over WebSocket
      if (PERMANENT.has(frame.code)) this._rooms.delete(frame.room);
      this._settleRestore('room:' + frame.room, null, new HeraldError(frame.code, frame.message, frame));
    }
    if (pending) {
      this._pending.delete(frame.ref);
      clearTimeout(pending.timer);
      if (frame.type === 'error') pending.reject(new HeraldError(frame.code, frame.message, frame));
      else pending.resolve(frame);
      return;
    }
    if (frame.type === 'error') this._emit('error', new HeraldError(frame.code, frame.message, frame));
  }

  _onConnected(frame) {
    this.connection = frame;
    this.transport = this._sse ? 'sse' : 'websocket';
    if (this._sse) this._sseConnected = true;
    this._failuresBeforeOpen = 0;
    // The backoff starts again only once a connection has stayed open for a while, so that a server
    // that closes right after `connected` is not asked again every initialDelayMs.
    clearTimeout(this._stableTimer);
    this._stableTimer = setTimeout(() => { this.attempts = 0; }, this.options.reconnect.resetAfterMs);
    this._setState('open');
    this._emit('connected', frame);
    this._openWaiters.splice(0).forEach((w) => { clearTimeout(w.timer); w.resolve(frame); });
    if (this.transport === 'sse') this._restoreSse(frame);
    else this._restore();
  }

  // The patterns to restore, one subscribe per filter, skipping `except` (unfiltered patterns named in
  // an SSE stream's URL).
  _groups(except = new Set()) {
    const groups = new Map();
    for (const [topic, { filter, key }] of this._subscriptions) {
      if (filter === null && except.has(topic)) continue;
      if (!groups.has(key)) groups.set(key, { filter, key, topics: [] });
      groups.get(key).topics.push(topic);
    }
    return [...groups.values()];
  }

  _restore() {
    const epoch = this._epoch;
    this._restoreGroups(epoch, this._groups(), () => {
      // The pong comes after every replay the restore asked for: from now on the resume point is the
      // last event delivered.
      this.request({ type: 'ping' }).then(() => { if (this._epoch === epoch) this._restoring = false; }, () => {});
    });
    for (const room of this._rooms.keys()) this._restoreRoom(epoch, room);
  }

  _restoreSse(frame) {
    const epoch = this._epoch;
    if (this._resumeFrom && frame.recovered === false) this._emit('gap', frame);
    this._restoreGroups(epoch, this._groups(this._sseUrlTopics), () => {
      // SSE has no in-band marker after a replay: give the last one time to come down the stream
      setTimeout(() => { if (this._epoch === epoch) this._restoring = false; }, SSE_REPLAY_SETTLE_MS);
    });
    for (const room of this._rooms.keys()) {
      // a room in the stream's URL is settled by its `joined` event (_onFrame)
      if (!this._sseUrlRooms.includes(room)) {
        this._settleRestore('room:' + room, null, new HeraldError('UNSUPPORTED', `join ${room} is not available over SSE`));
      }
    }
  }

  // Subscribes each group again with `since` = the resume point, retrying transient failures; calls
  // `done` once every group was answered on this connection.
  _restoreGroups(epoch, groups, done) {
    let left = groups.length;
    if (left === 0) {
      done();
      return;
    }
    const answered = () => { if (--left === 0) done(); };
    groups.forEach((group) => this._restoreGroup(epoch, group, answered));
  }

  _restoreGroup(epoch, group, answered) {
    this._untilAnswered(epoch, () => {
      const frame = { type: 'subscribe', topics: group.topics };
      if (group.filter) frame.filter = group.filter;
      if (this._resumeFrom) frame.since = this._resumeFrom;
      return frame;
    }, (answer) => {
      if (answer.recovered === false) this._emit('gap', answer);
      answered();
    }, () => {
      // the server will not take these any more: forget them (unless subscribed since with another filter)
      group.topics.forEach((t) => {
        const s = this._subscriptions.get(t);
        if (s && s.key === group.key) this._subscriptions.delete(t);
      });
      answered();
    });
  }

  _restoreRoom(epoch, room) {
    let meta;
    this._untilAnswered(epoch, () => {
      if (!this._rooms.has(room)) return null; // left meanwhile
      meta = this._rooms.get(room);
      const frame = { type: 'join', room };
      if (meta !== null) frame.meta = meta;
      return frame;
    }, (answer) => this._settleRestore('room:' + room, answer, null), (e) => {
      if (this._rooms.get(room) === meta) this._rooms.delete(room);
      this._settleRestore('room:' + room, null, e);
    });
  }

  // Sends the request `frame()` builds (none when it returns null) until this connection (`epoch`) has an
  // answer: every failure is emitted as an `error`; a transient one is retried after its `retryAfterMs` or
  // the backoff, a permanent one goes to `refused`. Nothing happens once the connection went away: the
  // next one restores everything.
  _untilAnswered(epoch, frame, answered, refused, tries = 0) {
    const request = frame();
    if (request === null) return;
    this.request(request).then((answer) => {
      if (this._epoch === epoch) answered(answer);
    }, (e) => {
      if (this._epoch !== epoch) return;
      this._emit('error', e);
      if (PERMANENT.has(e.code)) {
        refused(e);
        return;
      }
      const delay = (e.frame && e.frame.retryAfterMs) || this._backoff(tries);
      setTimeout(() => {
        if (this._epoch === epoch) this._untilAnswered(epoch, frame, answered, refused, tries + 1);
      }, delay);
    });
  }

  _onEvent(event) {
    if (event.id !== undefined) {
      if (this._seen.has(event.id)) return;
      this._seen.add(event.id);
      this._seenOrder.push(event.id);
      if (this._seenOrder.length > this.options.dedupeWindow) this._seen.delete(this._seenOrder.shift());
      this.lastEventId = event.id;
    }
    for (const { pattern, handler } of this._handlers) {
      if (topicMatches(pattern, event.topic)) {
        try {
          handler(event);
        } catch (e) {
          this._emit('error', e);
        }
      }
    }
  }

  _backoff(attempt) {
    const r = this.options.reconnect;
    const base = Math.min(r.maxDelayMs, r.initialDelayMs * Math.pow(r.factor, attempt));
    return Math.round(base * (1 - r.jitter * this._random()));
  }

  _onTransportClosed(code, reason, opened) {
    this._epoch++;
    clearTimeout(this._stableTimer);
    this._failPending(new HeraldConnectionError(`connection closed: ${code} ${reason || ''}`.trim()));
    this._emit('close', { code, reason });
    if (this._stopped) return;
    if (code === 1008) {
      const error = new HeraldError(refusalCode(reason), `refused by the server: 1008 ${reason || ''}`.trim());
      error.closeCode = code;
      error.reason = reason;
      this._emit('error', error);
      this._stopped = true;
      this._rejectWaiters(error);
      this._setState('closed');
      return;
    }
    if (!opened) this._failuresBeforeOpen++;
    const r = this.options.reconnect;
    if (this.attempts >= r.maxAttempts) {
      this._stopped = true;
      this._rejectWaiters(new HeraldConnectionError('gave up reconnecting'));
      this._setState('closed');
      return;
    }
    const delay = this._backoff(this.attempts);
    this.attempts++;
    this.nextRetryMs = delay;
    this._setState('reconnecting');
    this._emit('reconnect', { attempt: this.attempts, delayMs: delay, code, reason });
    this._timer = setTimeout(() => this._open(), delay);
  }

  _rejectWaiters(error) {
    for (const w of [...this._openWaiters, ...this._restoreWaiters]) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this._openWaiters = [];
    this._restoreWaiters.clear();
  }

  _failPending(error) {
    for (const p of this._pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this._pending.clear();
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this._emit('state', state);
  }

  _emit(kind, value) {
    for (const l of this._listeners[kind]) {
      try {
        l(value);
      } catch (e) {
        if (kind !== 'error') this._emit('error', e);
      }
    }
  }
}
