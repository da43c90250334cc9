// The setup and build scripts as a log file or CI sees them (stdout and
// stderr not a terminal): plain text, no raw escape sequences, and the
// long wasm build shows that it is working. On a terminal they may colour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ESCAPE = /\x1b\[/;

/** Runs a script with stdout and stderr piped; returns both. */
function run(script, args = []) {
  const r = spawnSync('bash', [script, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TERM: 'xterm-256color' } });
  assert.equal(r.status, 0, `${script} failed: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

test('setup and build write no escape sequences to a pipe, and the wasm build says it is working', { timeout: 600_000 }, () => {
  const setup = run('web/scripts/setup.sh');
  assert.match(setup.stdout, /^setup: toolchain ready/m);
  const build = run('web/scripts/build.sh');
  for (const [name, out] of Object.entries({ setup, build })) {
    assert.doesNotMatch(out.stdout + out.stderr, ESCAPE, `${name} wrote escape sequences to a pipe`);
  }
  assert.match(build.stdout, /^build: cargo build \(wasm32, release; the first build takes 1–2 minutes\)$/m);
  assert.match(build.stderr, /Finished `release` profile/, "cargo's own progress is shown, not hidden by -q");
});

test('on a terminal the log lines are bold, and errors bold red', (t) => {
  // util-linux `script` gives the shell a pseudo-terminal.
  if (spawnSync('script', ['--version']).status !== 0) return t.skip('no `script` command');
  const lib = `${ROOT}web/scripts/log.sh`;
  const { stdout: out } = spawnSync('script', ['-qec', `bash -c '. ${lib}; LOG_NAME=setup; say hello; die oops'`, '/dev/null'], { encoding: 'utf8', input: '' });
  assert.match(out, /\x1b\[1msetup:\x1b\[0m hello/);
  assert.match(out, /\x1b\[1;31msetup: oops\x1b\[0m/);
});
