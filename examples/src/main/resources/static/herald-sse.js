// The SSE fallback of herald-client.js: opens the stream and carries the requests SSE supports over the
// control endpoints (PROTOCOL: GET /events, POST /events/subscribe, /unsubscribe, /publish).

/**
 * Opens an EventSource on `url` with the topics, rooms and resume point in the query. Every frame (the
 * named `connected`, `joined` (each room's members, after `connected` and any replay), `presence` and `error`
 * events, and unnamed events) goes to `onFrame`.
 *
 * The browser must not reconnect the stream by itself (it would reuse this URL, with the topics of the
 * moment it was built, at the server's fixed `retry`): as soon as the stream ends or fails, the
 * EventSource is closed and `onEnded(source, { opened, closeCode, reason })` is called once. `opened` says
 * whether `connected` arrived; `closeCode` and `reason` come from the server's last closing `error` event
 * (the close a WebSocket would have seen), and are absent when the connection just broke.
 */
export function openSse({ EventSource, url, token, topics, rooms, lastEventId, onFrame, onEnded }) {
  const params = new URLSearchParams();
  if (topics.length) params.set('topics', topics.join(','));
  if (rooms.length) params.set('rooms', rooms.join(','));
  if (token) params.set('token', token);
  if (lastEventId) params.set('lastEventId', lastEventId);
  const source = new EventSource(url + (url.includes('?') ? '&' : '?') + params);
  let opened = false;
  let closing = {};
  let ended = false;
  const parse = (m) => {
    if (!m.data) return null;
    const frame = JSON.parse(m.data);
    onFrame(frame);
    return frame;
  };
  source.addEventListener('connected', (m) => { opened = true; parse(m); });
  source.addEventListener('joined', parse);
  source.addEventListener('presence', parse);
  source.onmessage = parse;
  // Both the server's named `error` event (a MessageEvent with `data`) and the end or failure of the
  // stream (a plain Event without `data`) arrive here.
  source.addEventListener('error', (e) => {
    if (typeof e.data === 'string' && e.data) {
      const frame = parse(e);
      if (frame && frame.closeCode !== undefined) closing = { closeCode: frame.closeCode, reason: frame.reason };
      return;
    }
    if (ended) return;
    ended = true;
    source.close();
    onEnded(source, { opened, ...closing });
  });
  return source;
}

const CODES = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 413: 'TOO_LARGE', 429: 'RATE_LIMITED' };

/**
 * Carries one request over the SSE control endpoints with the client's credentials; resolves with the
 * server's answer frame (with `ref`), or an `error` frame carrying the server's code and reason.
 * A `subscribe` forwards its `filter` and `since` (the server then replays what was missed down the stream).
 */
export async function sseRequest(url, connection, frame, token) {
  const answer = (f) => ({ ...f, ref: frame.ref });
  const failed = async (r) => {
    const body = await r.json().catch(() => null);
    const retryAfter = Number(r.headers.get('Retry-After'));
    const retryAfterMs = (body && body.retryAfterMs) || (retryAfter > 0 ? retryAfter * 1000 : undefined);
    return answer({
      type: 'error',
      code: (body && body.code) || CODES[r.status] || (r.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'),
      message: (body && body.message) || `HTTP ${r.status}`,
      ...(retryAfterMs ? { retryAfterMs } : {}),
    });
  };
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const post = (path, body) => fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
  try {
    if (frame.type === 'subscribe' || frame.type === 'unsubscribe') {
      const body = {
        connectionId: connection.connectionId, controlToken: connection.controlToken, topics: frame.topics,
      };
      if (frame.filter) body.filter = frame.filter;
      if (frame.since) body.since = frame.since;
      const r = await post('/' + frame.type, body);
      if (!r.ok) return failed(r);
      const server = await r.json().catch(() => null);
      return answer(server && server.type ? server : { type: frame.type + 'd', topics: frame.topics });
    }
    if (frame.type === 'publish' && !frame.room) {
      const r = await post('/publish', { topic: frame.topic, data: frame.data });
      return r.ok ? answer({ type: 'published', id: (await r.json()).id }) : failed(r);
    }
    return answer({ type: 'error', code: 'UNSUPPORTED', message: `${frame.type} is not available over SSE` });
  } catch (e) {
    return answer({ type: 'error', code: 'DISCONNECTED', message: String(e) });
  }
}
