// The SSE fallback of herald-client.js: opens the stream and carries the requests SSE supports over the
// control endpoints (PROTOCOL: GET /events, POST /events/subscribe, /unsubscribe, /publish).

/**
 * Opens an EventSource on `url` with the topics and rooms in the query. Every frame (the named
 * `connected`, `presence` and `error` events, and unnamed events) goes to `onFrame`; `onFailed` is called
 * once when the browser gives the stream up (a refused or non-SSE answer).
 */
export function openSse({ EventSource, url, token, topics, rooms, lastEventId, onFrame, onFailed }) {
  const params = new URLSearchParams();
  if (topics.length) params.set('topics', topics.join(','));
  if (rooms.length) params.set('rooms', rooms.join(','));
  if (token) params.set('token', token);
  // Resume where WebSocket left off; when the browser reconnects the stream by itself it sends the
  // Last-Event-ID header, which the server prefers to this parameter.
  if (lastEventId) params.set('lastEventId', lastEventId);
  const source = new EventSource(url + '?' + params);
  const parse = (m) => { if (m.data) onFrame(JSON.parse(m.data)); };
  source.addEventListener('connected', parse);
  source.addEventListener('presence', parse);
  source.addEventListener('error', parse);
  source.onmessage = parse;
  source.onerror = () => {
    if (source.readyState === 2) onFailed(source);
  };
  return source;
}

const CODES = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 413: 'TOO_LARGE', 429: 'RATE_LIMITED' };

/**
 * Carries one request over the SSE control endpoints with the client's credentials; resolves with the
 * server's answer frame (with `ref`), or an `error` frame carrying the server's code and reason.
 */
export async function sseRequest(url, connection, frame, token) {
  const answer = (f) => ({ ...f, ref: frame.ref });
  const failed = async (r) => {
    const body = await r.json().catch(() => null);
    return answer({
      type: 'error',
      code: (body && body.code) || CODES[r.status] || (r.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'),
      message: (body && body.message) || `HTTP ${r.status}`,
      ...(body && body.retryAfterMs ? { retryAfterMs: body.retryAfterMs } : {}),
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
