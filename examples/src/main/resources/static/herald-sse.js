// The SSE fallback of herald-client.js: opens the stream and carries the requests SSE supports over the
// control endpoints (PROTOCOL: GET /events, POST /events/subscribe, /unsubscribe, /publish).

/**
 * Opens an EventSource on `url` with the topics and rooms in the query. Every frame (the named
 * `connected`, `presence` and `error` events, and unnamed events) goes to `onFrame`; `onFailed` is called
 * once when the browser gives the stream up (a refused or non-SSE answer).
 */
export function openSse({ EventSource, url, token, topics, rooms, onFrame, onFailed }) {
  const params = new URLSearchParams();
  if (topics.length) params.set('topics', topics.join(','));
  if (rooms.length) params.set('rooms', rooms.join(','));
  if (token) params.set('token', token);
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

const CODES = { 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'RATE_LIMITED' };

/** Carries one request over the SSE control endpoints; resolves with the answer frame (with `ref`). */
export async function sseRequest(url, connection, frame) {
  const answer = (f) => ({ ...f, ref: frame.ref });
  const failed = (r) => answer({ type: 'error', code: CODES[r.status] || 'BAD_REQUEST', message: `HTTP ${r.status}` });
  const post = (path, body) => fetch(url + path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  try {
    if (frame.type === 'subscribe' || frame.type === 'unsubscribe') {
      const r = await post('/' + frame.type, {
        connectionId: connection.connectionId, controlToken: connection.controlToken, topics: frame.topics,
      });
      return r.ok ? answer({ type: frame.type + 'd', topics: frame.topics }) : failed(r);
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
