// The dashboard: one HeraldClient shared by every panel. window.heraldDemo exposes the client and what
// the page received, for the browser test and for poking around in the console.
import { HeraldClient, topicMatches } from './herald-client.js';

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 200;
// What the page remembers for its tests and counters is bounded too, however long it stays open.
const MAX_REMEMBERED = 10000;
function remember(list, value) {
  list.push(value);
  if (list.length > MAX_REMEMBERED) list.splice(0, list.length - MAX_REMEMBERED);
}
const ROOM = 'chat:general';
const params = new URLSearchParams(location.search);
// what the demo's authenticator accepts; anything else would be refused (401) on every reconnect
const VALID_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const asked = params.get('user') || localStorage.getItem('herald-demo-name');
const name = asked && VALID_NAME.test(asked) ? asked : 'guest-' + Math.random().toString(36).slice(2, 6);
if (asked && name !== asked) {
  console.warn(`"${asked}" is not a valid name (1-32 letters, digits, _ or -); using ${name}`);
}
$('name').value = name;

const wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
const client = new HeraldClient(wsUrl, {
  token: 'user:' + name,
  sseUrl: location.origin + '/events',
  reconnect: { initialDelayMs: Number(params.get('backoffMs') || 250), maxDelayMs: 5000 },
});
const state = { client, taskIds: [], eventIds: [], patterns: ['task.*', 'demo.**'], members: new Map(), errors: [] };
window.heraldDemo = state;

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value;
  if (cls) el.className = cls;
  return el;
}

function prepend(list, item) {
  list.prepend(item);
  while (list.children.length > MAX_ROWS) list.lastChild.remove();
}

// Connection status
function showStatus() {
  const c = client.connection;
  const box = $('status');
  box.dataset.state = client.state;
  let label = client.state;
  if (client.state === 'open' && c) label = `connected as ${c.user || 'anonymous'} · ${c.connectionId} · ${client.transport}`;
  if (client.state === 'reconnecting') label = `reconnecting (attempt ${client.attempts}, next in ${client.nextRetryMs ?? 0} ms)`;
  $('status-text').textContent = label;
}
client.addListener('state', showStatus);
client.addListener('connected', showStatus);
client.addListener('reconnect', showStatus);
client.addListener('error', (e) => {
  remember(state.errors, e.code + ': ' + e.message);
  console.warn('herald', e.code, e.message);
});
client.addListener('gap', () => prepend($('events'), text('li', 'history gap: some events were too old to replay', 'error')));

// Task and demo events with pattern subscriptions
function showEvent(event) {
  state.eventCount = (state.eventCount || 0) + 1;
  remember(state.eventIds, event.id);
  if (event.topic.startsWith('task.')) remember(state.taskIds, event.id);
  const li = document.createElement('li');
  li.dataset.id = event.id;
  li.append(text('span', event.topic, 'topic topic-' + event.topic.replace(/\./g, '-')));
  li.append(text('code', event.id));
  li.append(text('span', JSON.stringify(event.data)));
  prepend($('events'), li);
  $('event-count').textContent = state.eventCount;
  $('last-id').textContent = event.id;
}
client.on('**', (event) => {
  if (event.room || event.topic.startsWith('system.')) return;
  if (state.patterns.some((p) => topicMatches(p, event.topic))) showEvent(event);
});
$('patterns').textContent = state.patterns.join(' ');
$('pattern-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const pattern = $('pattern').value.trim();
  if (!pattern) return;
  try {
    await client.subscribe([pattern]);
    state.patterns.push(pattern);
    $('patterns').textContent = state.patterns.join(' ');
    $('pattern').value = '';
  } catch (err) {
    $('patterns').textContent = `${err.code}: ${err.message}`;
  }
});

// System health
client.on('system.*', (event) => {
  const body = $('health').tBodies[0];
  body.replaceChildren(...Object.entries(event.data).map(([k, v]) => {
    const tr = document.createElement('tr');
    tr.append(text('td', k), text('td', String(v)));
    return tr;
  }));
});

// Chat with presence and typing indicators
const who = (m) => (m.meta && m.meta.name) || m.user || m.connectionId;
function showMembers() {
  $('members').replaceChildren(...[...state.members.values()].map((m) => text('li', who(m))));
}
function systemLine(line) {
  const list = $('messages');
  list.append(text('li', line, 'system'));
  list.scrollTop = list.scrollHeight;
}
client.addListener('presence', (p) => {
  if (p.room !== ROOM) return;
  if (p.action === 'join') state.members.set(p.member.connectionId, p.member);
  else state.members.delete(p.member.connectionId);
  systemLine(`${who(p.member)} ${p.action === 'join' ? 'joined' : 'left'}`);
  showMembers();
});
const typing = new Map();
function showTyping() {
  const names = [...typing.keys()];
  $('typing').textContent = names.length ? `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…` : '';
}
client.on('chat.typing', (event) => {
  const from = event.data.name;
  clearTimeout(typing.get(from));
  typing.set(from, setTimeout(() => { typing.delete(from); showTyping(); }, 3000));
  showTyping();
});
client.on('chat.message', (event) => {
  const list = $('messages');
  const li = document.createElement('li');
  li.append(text('b', event.data.name + ': '), document.createTextNode(event.data.text));
  list.append(li);
  list.scrollTop = list.scrollHeight;
  clearTimeout(typing.get(event.data.name));
  typing.delete(event.data.name);
  showTyping();
});
let lastTyping = 0;
$('chat-input').addEventListener('input', () => {
  if (Date.now() - lastTyping < 2000 || client.state !== 'open') return;
  lastTyping = Date.now();
  client.publishToRoom(ROOM, 'chat.typing', { name }, { echo: false }).catch(() => {});
});
$('chat-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $('chat-input');
  if (!input.value.trim()) return;
  try {
    await client.publishToRoom(ROOM, 'chat.message', { name, text: input.value });
    input.value = '';
    lastTyping = 0;
  } catch (err) {
    systemLine(`not sent: ${err.code} ${err.message}`);
  }
});

// Publish control
$('publish-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const out = $('publish-result');
  try {
    const data = JSON.parse($('publish-data').value || 'null');
    const answer = await client.publish($('publish-topic').value.trim(), data);
    out.className = 'muted';
    out.textContent = `published as ${answer.id}`;
  } catch (err) {
    out.className = 'error';
    out.textContent = err.code ? `${err.code}: ${err.message}` : `not JSON: ${err.message}`;
  }
});

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  localStorage.setItem('herald-demo-name', $('name').value.trim());
  location.search = '?user=' + encodeURIComponent($('name').value.trim());
});

client.connect().catch((e) => state.errors.push(e.message));
client.subscribe(state.patterns).then(() => { state.subscribed = true; }, (e) => state.errors.push(e.message));
client.subscribe(['system.*']).catch((e) => state.errors.push(e.message));
client.addListener('joined', (joined) => {
  if (joined.room !== ROOM) return;
  state.members = new Map(joined.members.map((m) => [m.connectionId, m]));
  showMembers();
});
client.join(ROOM, { name }).catch((e) => state.errors.push(e.message));
