'use strict';
// redis-server for `npm run local` and `npm test`: the one place that installs it when missing (no npm package ships
// an offline Redis, so it is Debian's redis-server), starts it on 127.0.0.1 and waits until it answers.
// `npm run local` runs one as its child with its data in DATA_DIR/redis; `npm test` (scripts/ensure-services.sh,
// `node scripts/redis-server.js ensure-test-server`) uses the Redis at TEST_REDIS_URL, else starts a daemon there.
const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');

const say = (line) => process.stdout.write(`[redis] ${line}\n`);

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

function installIfMissing() {
  if (has('redis-server')) return;
  say('redis-server is missing: installing Debian package redis-server');
  const asRoot = process.getuid?.() === 0 ? '' : 'sudo ';
  spawnSync(
    'sh',
    [
      '-c',
      `${asRoot}apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${asRoot}apt-get install -y -qq redis-server`,
    ],
    { stdio: 'inherit' },
  );
  if (!has('redis-server')) {
    throw new Error('no Redis: install it (apt-get install redis-server) or set REDIS_URL=redis://host:port');
  }
}

/** Whether a Redis answers PING at host:port. */
function answers(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => socket.write('PING\r\n'));
    socket.setTimeout(2000, () => socket.destroy());
    socket.once('data', (reply) => {
      socket.destroy();
      resolve(reply.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

async function waitUntilAnswers(port, exited) {
  for (const until = Date.now() + 30_000; Date.now() < until && !exited();) {
    if (await answers(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`redis-server did not come up on 127.0.0.1:${port}`);
}

/**
 * Starts redis-server on 127.0.0.1:port and resolves once it answers. With `dir`, its data lives there with the
 * append-only file on (an accepted SCIM write waits in Redis until IAM applies it); without, it keeps nothing.
 * A child process by default, in a process group of its own: a Ctrl-C in the terminal reaches only the parent, which
 * stops Redis once the services have drained their work. `daemon: true` leaves a server that outlives the caller.
 */
async function startRedis({ port, dir, daemon = false }) {
  installIfMissing();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', ''];
  args.push(...(dir ? ['--dir', dir, '--appendonly', 'yes'] : ['--dir', '/tmp', '--appendonly', 'no']));
  if (daemon) {
    const started = spawnSync('redis-server', [...args, '--daemonize', 'yes'], { stdio: 'inherit' });
    if (started.status !== 0) throw new Error(`redis-server on 127.0.0.1:${port} did not start`);
    await waitUntilAnswers(port, () => false);
    return undefined;
  }
  const child = spawn('redis-server', args, { stdio: 'ignore', detached: true });
  await waitUntilAnswers(port, () => child.exitCode !== null || child.signalCode !== null);
  return child;
}

/** For `npm test`: the Redis at TEST_REDIS_URL as it is, else a daemon started on its loopback port. */
async function ensureTestServer() {
  const url = new URL(process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379/0');
  const port = Number(url.port || 6379);
  if (await answers(port, url.hostname)) return say(`Redis answers on ${url.hostname}:${port}`);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) throw new Error(`nothing answers at ${url.host}`);
  await startRedis({ port, daemon: true });
  say(
    `started redis-server on 127.0.0.1:${port} (nothing kept on disk); it stays running for the next test run`,
  );
}

module.exports = { startRedis };

if (require.main === module) {
  if (process.argv[2] !== 'ensure-test-server') {
    process.stderr.write('usage: node scripts/redis-server.js ensure-test-server\n');
    process.exit(2);
  }
  ensureTestServer().catch((error) => {
    process.stderr.write(`[redis] ${error.message}\n`);
    process.exit(1);
  });
}
