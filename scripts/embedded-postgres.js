'use strict';
// The embedded PostgreSQL of `npm run local`: PGlite (one in-process Postgres session) served over
// the wire protocol to both services. PGlite has one session, so client connections take turns:
// a connection keeps the session for a whole extended-protocol batch (Parse … Sync) and for a whole
// transaction. (pglite-socket's own multiplexer interleaves single messages of different
// connections, which mixes one client's Parse with another's Bind.)
const net = require('node:net');

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const BATCH_END = new Set(['S', 'Q', 'X', 'H']); // Sync, simple Query, Terminate, Flush

function serveEmbeddedPostgres(db, { host = '127.0.0.1', port = 0 } = {}) {
  let owner = null;
  let waiters = [];
  const acquire = async (id) => {
    while (owner !== null && owner !== id) await new Promise((resolve) => waiters.push(resolve));
    owner = id;
  };
  const release = (id) => {
    if (owner !== id) return;
    owner = null;
    const wake = waiters;
    waiters = [];
    for (const resolve of wake) resolve();
  };

  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const id = Symbol('connection');
    let buffer = Buffer.alloc(0);
    let started = false;
    let pending = [];
    let chain = Promise.resolve();

    const run = async (batch) => {
      await acquire(id);
      try {
        await db.runExclusive(() =>
          db.execProtocolRawStream(batch, { onRawData: (data) => socket.write(data) }),
        );
      } finally {
        if (!db.isInTransaction()) release(id);
      }
    };
    const flush = () => {
      const batch = Buffer.concat(pending);
      pending = [];
      chain = chain.then(() => run(batch)).catch(() => socket.destroy());
    };

    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST) {
            socket.write('N');
            continue;
          }
          if (code === CANCEL_REQUEST) continue;
          started = true;
          pending.push(message);
          flush();
          continue;
        }
        if (buffer.length < 5) return;
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) return;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        const type = String.fromCharCode(message[0]);
        if (type === 'X') {
          chain = chain.then(() => socket.end());
          continue;
        }
        pending.push(message);
        if (BATCH_END.has(type)) flush();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      // A client that vanished mid-transaction must not keep the session.
      chain = chain.then(async () => {
        if (owner === id && db.isInTransaction())
          await db.runExclusive(() => db.exec('ROLLBACK')).catch(() => undefined);
        release(id);
      });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({ port: server.address().port, close: () => new Promise((r) => server.close(() => r())) }),
    );
  });
}

module.exports = { serveEmbeddedPostgres };
