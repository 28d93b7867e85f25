// Runs every benchmark (bench/*Bench.mjs) one after another against the built app, each in its own
// process so that one cannot warm or starve another, and prints every verdict at the end.
// `npm run bench` builds first. Options: --only=logStore,jobStore (name prefixes), --quick.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const passOn = process.argv.slice(2).filter((a) => !a.startsWith('--only='));
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('Bench.mjs'))
  .filter((f) => !only || only.some((o) => f.startsWith(o)))
  .sort();

const verdicts = [];
let failed = false;
for (const script of scripts) {
  console.log(`\n=== ${script} ===`);
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, script), ...passOn], { stdio: ['ignore', 'pipe', 'inherit'] });
    let rest = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop();
      for (const line of lines) if (/^(MET|MISS) /.test(line)) verdicts.push(`${script}: ${line}`);
    });
    child.on('exit', (c) => resolve(c));
  });
  console.log(`(${script} took ${((performance.now() - started) / 1000).toFixed(0)} s, exit ${code})`);
  if (code !== 0) failed = true;
}
console.log('\nAll verdicts');
for (const v of verdicts) console.log(v);
process.exitCode = failed || verdicts.some((v) => v.includes(': MISS ')) ? 1 : 0;
