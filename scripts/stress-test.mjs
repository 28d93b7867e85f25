// Runs the test suite while every core is kept busy by another process, several times in a row:
// a test that passes only on an idle machine is a broken test. Usage:
//   node scripts/stress-test.mjs [--runs N] [--e2e] [vitest file filters...]
// Exits non-zero at the first failing run, naming it.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let runs = 3;
let e2e = false;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--e2e') e2e = true;
  else filters.push(args[i]);
}
if (!Number.isInteger(runs) || runs < 1) {
  console.error('stress-test: --runs takes a whole number of at least 1');
  process.exit(2);
}

// One spinning process per core, at normal priority: the suite competes for every core.
const burners = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ['-e', 'for (;;) Math.sqrt(Math.random());'], { stdio: 'ignore' }),
);
const stopBurners = () => burners.forEach((b) => b.kill('SIGKILL'));
process.on('exit', stopBurners);
// Killed from outside: the burners go too (an exit handler alone would not run).
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

function run(cmd, cmdArgs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, FERRY_STRESS: '1' } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
console.log(`stress-test: ${runs} run(s) with ${burners.length} busy process(es) beside the suite`);
if ((await run(process.execPath, ['scripts/build.mjs'])) !== 0) process.exit(1);
for (let n = 1; n <= runs; n++) {
  const started = Date.now();
  console.log(`\n=== stress run ${n} of ${runs}`);
  const unit = await run(npx, ['vitest', 'run', ...filters]);
  const browser = unit === 0 && e2e ? await run(npx, ['playwright', 'test']) : 0;
  const seconds = Math.round((Date.now() - started) / 1000);
  if (unit !== 0 || browser !== 0) {
    console.error(`stress-test: run ${n} failed after ${seconds} s (${unit !== 0 ? 'vitest' : 'playwright'})`);
    process.exit(1);
  }
  console.log(`=== stress run ${n} passed in ${seconds} s`);
}
console.log(`\nstress-test: ${runs} of ${runs} runs passed with every core busy`);
// The burners keep the event loop alive: exit, which stops them.
process.exit(0);
