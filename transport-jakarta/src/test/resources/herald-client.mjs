// Drives a Herald endpoint with the npm "ws" client, the way a Node service would:
// subscribe with a pattern, receive one event, disconnect, then resume with "since".
// Talks to the Java test over stdout (one line per step) and stdin ("GO").
import WebSocket from 'ws';
import readline from 'node:readline';

const url = process.argv[2];
const input = readline.createInterface({ input: process.stdin });
const pending = [];
let waiting = null;
input.on('line', (line) => {
  if (waiting) {
    const w = waiting;
    waiting = null;
    w(line);
  } else {
    pending.push(line);
  }
});
const nextLine = () => (pending.length ? Promise.resolve(pending.shift()) : new Promise((r) => { waiting = r; }));
const watchdog = setTimeout(() => { console.log('TIMEOUT'); process.exit(2); }, 20000);

function connect(onFrame) {
  const ws = new WebSocket(url, 'herald.v1');
  ws.on('message', (data) => onFrame(ws, JSON.parse(data.toString())));
  ws.on('error', (e) => { console.log(`ERROR ${e.message}`); process.exit(3); });
  return ws;
}

let lastId;
await new Promise((done) => {
  connect((ws, f) => {
    if (f.type === 'connected') {
      ws.send(JSON.stringify({ type: 'subscribe', ref: 's', topics: ['news.**'] }));
    } else if (f.type === 'subscribed') {
      console.log('SUBSCRIBED');
    } else if (f.type === 'event') {
      lastId = f.id;
      console.log(`EVENT ${f.id} ${f.data.n}`);
      ws.on('close', () => { console.log('CLOSED'); done(); });
      ws.close(1000, 'bye');
    }
  });
});

await nextLine();
const seen = [];
let recovered;
await new Promise((done) => {
  connect((ws, f) => {
    if (f.type === 'connected') {
      ws.send(JSON.stringify({ type: 'subscribe', ref: 'r', topics: ['news.**'], since: lastId }));
    } else if (f.type === 'subscribed') {
      recovered = f.recovered;
    } else if (f.type === 'event') {
      seen.push(f.data.n);
      if (seen.length === 2) {
        console.log(`RESUMED recovered=${recovered} n=${seen.join(',')}`);
        ws.on('close', done);
        ws.close(1000, 'done');
      }
    }
  });
});
clearTimeout(watchdog);
input.close();
process.exit(0);
