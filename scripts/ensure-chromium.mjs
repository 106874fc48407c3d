// Part of `npm test`: the browser tests drive a system Chromium (never a downloaded one). When the
// machine has none, install Debian's package if this user can; otherwise say so in one line and stop.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const wanted = process.env.TREATY_CHROMIUM ?? '/usr/bin/chromium';

function runnable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function stop(message) {
  console.error(`npm test: ${message}`);
  process.exit(1);
}

if (!runnable(wanted)) {
  if (process.env.TREATY_CHROMIUM !== undefined)
    stop(`TREATY_CHROMIUM points at ${wanted}, which is not an executable Chromium. Fix the path.`);
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!hasApt || !root)
    stop(
      "the browser tests need Chromium: install the system package (Debian: 'apt-get install chromium'), or set TREATY_CHROMIUM to a Chromium binary.",
    );
  console.error('npm test: installing Chromium for the browser tests (apt-get install chromium)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0)
      stop(
        `'apt-get ${args.join(' ')}' failed (exit ${r.status}); install Chromium by hand, or set TREATY_CHROMIUM.`,
      );
  }
  if (!runnable(wanted))
    stop(`apt-get installed Chromium, but ${wanted} is still missing; set TREATY_CHROMIUM.`);
}
