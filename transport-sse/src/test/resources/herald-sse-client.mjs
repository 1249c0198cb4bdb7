// Drives Herald's SSE stream with the npm "eventsource" package (version 2), the way a Node service would:
// receive one event, close, then reconnect with Last-Event-ID and receive what it missed.
// Talks to the Java test over stdout (one line per step) and stdin ("GO").
import EventSource from 'eventsource';
import readline from 'node:readline';

const url = process.argv[2];
const input = readline.createInterface({ input: process.stdin });
const watchdog = setTimeout(() => { console.log('TIMEOUT'); process.exit(2); }, 20000);
let lastId;

const first = new EventSource(url);
first.addEventListener('connected', () => console.log('CONNECTED'));
first.onerror = (e) => { console.log(`ERROR ${e.message ?? e.status ?? 'first stream'}`); process.exit(3); };
first.onmessage = (e) => {
  const event = JSON.parse(e.data);
  console.log(`EVENT ${e.lastEventId} ${event.topic}`);
  lastId = e.lastEventId;
  first.close();
  console.log('CLOSED');
};

input.on('line', (line) => {
  if (line !== 'GO') {
    return;
  }
  const second = new EventSource(url, { headers: { 'Last-Event-ID': lastId } });
  second.addEventListener('connected', (e) => console.log(`RECOVERED ${JSON.parse(e.data).recovered}`));
  second.onerror = (e) => { console.log(`ERROR ${e.message ?? e.status ?? 'second stream'}`); process.exit(3); };
  second.onmessage = (e) => {
    console.log(`EVENT ${e.lastEventId} ${JSON.parse(e.data).topic}`);
    second.close();
    clearTimeout(watchdog);
    input.close();
    process.exit(0);
  };
});
