// npm run demo: the whole Treaty story on an embedded SQLite broker, in about half a minute.
//   consumer contract tests → publish → verify the provider and publish the result → record the
//   deployment → can-i-deploy: yes → the consumer needs a field the provider does not send →
//   publish → verify (fails) → can-i-deploy: no, with the reason.
// Flags: --keep keeps the broker running afterwards (Ctrl-C to stop); --port N picks its port.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '@treaty/broker';
import { main } from '@treaty/cli';
import { buildOrdersApp } from '../examples/http-orders/dist/provider.js';
import { OrderStore } from '../examples/http-orders/dist/store.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const portArg = args.indexOf('--port');
const port = portArg === -1 ? 0 : Number(args[portArg + 1]);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port takes a port number (0 for any free port), not '${args[portArg + 1]}'.`);
  process.exit(2);
}

const tty = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code) => (text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
let step = 0;
const say = (title, detail = '') =>
  console.log(`\n${bold(`${++step}. ${title}`)}${detail === '' ? '' : `\n   ${dim(detail)}`}`);
const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `   │ ${l}`)
    .join('\n');

/** Runs a treaty command in this process and shows what it printed. */
async function treaty(argv) {
  const out = [];
  const io = { cwd: root, env: {}, stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTTY: false };
  console.log(dim(`   $ treaty ${argv.map((a) => (/[\s"'{}$]/.test(a) ? `'${a}'` : a)).join(' ')}`));
  const code = await main(argv, io);
  if (out.length > 0) console.log(indent(out.join('')));
  return code;
}

/** Runs the storefront's contract tests with vitest, writing the contract into `dir`. */
function consumerTests(dir, env = {}) {
  const vitest = join(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs');
  const test = 'examples/http-orders/test/consumer.contract.test.ts';
  console.log(
    dim(
      `   $ vitest run ${test}${
        Object.keys(env).length === 0
          ? ''
          : `  (with ${Object.entries(env)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')})`
      }`,
    ),
  );
  const r = spawnSync(
    process.execPath,
    [vitest, 'run', '--typecheck.enabled=false', '--reporter=dot', test],
    {
      cwd: root,
      env: { ...process.env, ...env, TREATY_PACT_DIR: dir, FORCE_COLOR: '0', NO_COLOR: '1' },
      encoding: 'utf8',
    },
  );
  const summary = `${r.stdout}${r.stderr}`
    .split('\n')
    .filter((l) => /Tests|passed|failed|Error/.test(l))
    .join('\n');
  console.log(indent(summary));
  if (r.status !== 0) throw new Error(`The consumer's contract tests failed:\n${r.stdout}${r.stderr}`);
}

function expectCode(what, code, wanted) {
  if (code !== wanted) throw new Error(`${what} exited ${code}, expected ${wanted}.`);
}

const work = mkdtempSync(join(tmpdir(), 'treaty-demo-'));
const database = join(work, 'broker.sqlite');
console.log(bold('Treaty demo: a storefront (consumer) and an orders API (provider), gated by a broker'));
console.log(dim(`working folder ${work}`));

const broker = await startBroker({ port, host: '127.0.0.1', database });
const b = ['--broker-base-url', broker.url];
let provider;
let ok = false;
try {
  say('Started a Treaty broker on a fresh SQLite database', `${broker.url}  (database ${database})`);

  const v1 = join(work, 'pacts-1.0.0');
  say(
    "The storefront's contract tests run against Treaty's mock server and write the contract",
    'examples/http-orders: its real OrdersClient, three interactions',
  );
  consumerTests(v1);

  say('The storefront publishes the contract for version 1.0.0 on main');
  expectCode(
    'publish',
    await treaty(['publish', v1, '--consumer-app-version', '1.0.0', '--branch', 'main', ...b]),
    0,
  );

  say(
    "The orders API's CI verifies it against the running provider and publishes the result",
    'a fastify app over SQLite; provider states are set up through its /_provider-states endpoint',
  );
  const store = new OrderStore();
  provider = buildOrdersApp(store, { providerStates: true });
  const providerUrl = await provider.listen({ port: 0, host: '127.0.0.1' });
  const verify = [
    'verify',
    '--provider',
    'orders',
    '--provider-base-url',
    providerUrl,
    '--provider-states-setup-url',
    `${providerUrl}/_provider-states`,
    '--publish-verification-results',
    '--provider-app-version',
    '1.0.0',
    '--provider-version-branch',
    'main',
    ...b,
  ];
  expectCode('verify', await treaty([...verify, '--consumer-version-selectors', '{"mainBranch":true}']), 0);

  say('orders 1.0.0 is deployed to production, and the deployment recorded');
  expectCode(
    'create-environment',
    await treaty(['create-environment', '--name', 'production', '--production', ...b]),
    0,
  );
  expectCode(
    'record-deployment',
    await treaty([
      'record-deployment',
      '--pacticipant',
      'orders',
      '--version',
      '1.0.0',
      '--environment',
      'production',
      ...b,
    ]),
    0,
  );

  say('Can the storefront 1.0.0 go to production?');
  const yes = await treaty([
    'can-i-deploy',
    '--pacticipant',
    'storefront',
    '--version',
    '1.0.0',
    '--to-environment',
    'production',
    ...b,
  ]);
  expectCode('can-i-deploy storefront 1.0.0', yes, 0);
  console.log(`   ${green('→ yes (exit 0): it is deployed, and recorded')}`);
  expectCode(
    'record-deployment',
    await treaty([
      'record-deployment',
      '--pacticipant',
      'storefront',
      '--version',
      '1.0.0',
      '--environment',
      'production',
      ...b,
    ]),
    0,
  );

  const v2 = join(work, 'pacts-1.1.0');
  say(
    'The storefront changes: version 1.1.0 also reads estimatedDelivery, which orders does not send',
    'its contract tests still pass: the mock server answers what the consumer expects',
  );
  consumerTests(v2, { STOREFRONT_ALSO_NEEDS: 'estimatedDelivery' });
  expectCode(
    'publish',
    await treaty(['publish', v2, '--consumer-app-version', '1.1.0', '--branch', 'main', ...b]),
    0,
  );

  say("The orders API's CI verifies the changed contract: it fails, and the failure is published");
  expectCode('verify', await treaty([...verify, '--consumer-version-selectors', '{"mainBranch":true}']), 1);

  say('Can the storefront 1.1.0 go to production?');
  const no = await treaty([
    'can-i-deploy',
    '--pacticipant',
    'storefront',
    '--version',
    '1.1.0',
    '--to-environment',
    'production',
    ...b,
  ]);
  expectCode('can-i-deploy storefront 1.1.0', no, 1);
  console.log(`   ${red('→ no (exit 1): the release gate stops the breaking change before production')}`);
  ok = true;
} catch (error) {
  console.error(`\n${red('The demo went wrong:')} ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await provider?.close();
}

const pages = 'integrations, network, contracts, matrix, can-i-deploy, environments';
if (keep) {
  console.log(`\n${bold('Look around')}: the broker's pages are at ${broker.url}/ (${pages}).`);
  console.log(`The broker keeps running on ${database}; Ctrl-C stops it.`);
  const stop = async () => {
    await broker.close();
    process.exit(ok ? 0 : 1);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  // The broker stops now: no address to visit, only the ways to get one.
  console.log(
    `\n${bold('Look around')}: the demo's broker has stopped. To browse its pages (${pages}), run ${bold('npm run demo -- --keep')}, or serve this database again with:`,
  );
  console.log(`  npx treaty broker --database ${database}`);
  await broker.close();
  process.exit(ok ? 0 : 1);
}
