// Started by test/corpus/differential.test.ts inside a network namespace of its own (see isolated()
// in corpus.ts): starts `pact-stub-server -f FILE -p PORT` there, on a port found free by binding
// port 0, and joins a Unix socket (reachable from outside the namespace) to it, byte for byte.
// Prints `ready` once the stub server listens; if the stub server cannot load the file it prints
// `failed` and everything it wrote. Ends its process group (itself and the stub server) when its
// standard input closes or it is told to stop.
// Usage: node stub-bridge.mjs <pact-stub-server> <socket path> <pact file>
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const [stubBin, socketPath, pactFile] = process.argv.slice(2);
const stop = () => process.kill(-process.pid, 'SIGKILL');
process.stdin.on('close', stop).resume();
process.on('SIGTERM', stop);

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const stub = spawn(stubBin, ['-f', pactFile, '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
let started = false;
const onOutput = (chunk) => {
  output += chunk.toString();
  process.stderr.write(chunk);
  if (!started && output.includes(`Server started on port ${port}`)) {
    started = true;
    createServer((client) => {
      const upstream = connect(port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    }).listen(socketPath, () => process.stdout.write('ready\n'));
  }
};
stub.stdout.on('data', onOutput);
stub.stderr.on('data', onOutput);
stub.on('exit', (code) => {
  process.stdout.write(`failed ${code}\n${JSON.stringify(output)}\n`);
  stop();
});
