'use strict';
// Socket.IO 4 broadcasting to a room: a peer for Herald's end-to-end load generator
// (io.herald.benchmarks.load.LoadScenario ... socketio), started by it as its own process.
//
// Usage: node server.js [port] [--stdin-control]
//   port 0 (or none): a free port. Listens on 127.0.0.1 and prints "READY <port>" once listening.
//   --stdin-control: exit when stdin closes (the load generator that started this process ended), and
//     answer a line "gc" on stdin with a full collection and "HEAP <bytes of V8 heap in use>".
//
// Only the websocket transport; every other setting is socket.io's default (no perMessageDeflate,
// pingInterval 25 s, pingTimeout 20 s, the in-memory adapter). A subscriber emits
// "subscribe" with a room name; the publisher emits "publish" with a room and an event, which is
// broadcast to the room as "event".
const http = require('http');
const { Server } = require('socket.io');

const port = parseInt(process.argv[2] || '0', 10);
const stdinControl = process.argv.includes('--stdin-control');

const httpServer = http.createServer();
const io = new Server(httpServer, { transports: ['websocket'] });

io.on('connection', (socket) => {
  socket.on('subscribe', (room) => {
    socket.join(room);
  });
  socket.on('publish', (room, event) => {
    io.to(room).emit('event', event);
  });
});

httpServer.on('error', (err) => {
  console.error(err);
  process.exit(1);
});

// the load generator opens thousands of connections at once: the same accept queue as the other peers
// (node's default is 511)
httpServer.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log('READY ' + httpServer.address().port);
});

if (stdinControl) {
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const command = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (command === 'gc') {
        if (global.gc) {
          global.gc();
        }
        console.log('HEAP ' + (global.gc ? process.memoryUsage().heapUsed : -1));
      }
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

process.on('SIGTERM', () => process.exit(0));
