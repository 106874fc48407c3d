import { processIo } from './io.js';
import { VERSION } from './version.js';

const args = process.argv.slice(2);
const io = processIo();
// `treaty --version` alone needs only the number, not the command-line parser (main() prints the
// same for it).
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) io.stdout(`${VERSION}\n`);
else process.exitCode = await (await import('./main.js')).main(args, io);
