/**
 * Hostile and broken specs: every class of problem the loader refuses, each with its exact message,
 * path and line, and never anything thrown but a ClawopsError; then seeded random mutations of the
 * example spec (text and bytes), which must only ever produce problems.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/program.ts';
import { memoryRuntime } from '../../../src/cli/runtime.ts';
import { ClawopsError } from '../../../src/core/errors.ts';
import { SpecError, type SpecProblem } from '../../../src/desired/errors.ts';
import { exampleSpec } from '../../../src/desired/example.ts';
import { decodeSpec, loadSpec, readSpec } from '../../../src/desired/load.ts';
import { parseSpec } from '../../../src/desired/parse.ts';

const tmp = mkdtempSync(join(tmpdir(), 'clawops-fuzz-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer) => {
  const f = join(tmp, `spec-${n++}.yaml`);
  writeFileSync(f, content);
  return f;
};

const problemsOf = (text: string): SpecProblem[] => {
  const r = parseSpec(text, 'x.yaml');
  assert.equal(r.ok, false, `expected problems for ${JSON.stringify(text.slice(0, 80))}`);
  return r.ok ? [] : r.problems;
};

const SECRET = 'a secret is never written in the spec, only where to find it: ' +
  '{file: /etc/clawops/<name>} (a root-only file holding it) or {env: NAME}';
const CONTROL = (what: string, cp: string, at: number) =>
  `${what} holds the control character ${cp} at character ${at}: ` +
  'strings here end up in config files, units and command lines, where it would start a new line or field';
const ROOT_USER = 'the service user may not be root: the gateway would run with every right on the host; ' +
  'leave user unset (openclaw-svc) or name a dedicated user';
const DEEP = 'nested more than 64 levels deep (a spec needs a handful); flatten it';

function bomb(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const c of 'bcdefghi') {
    text += `${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = c;
  }
  return text;
}

const corpus: { name: string; yaml: string; problems: SpecProblem[] }[] = [
  { name: 'a literal restic password', yaml: 'backup:\n  password: hunter2\n',
    problems: [{ path: 'backup.password', line: 2, message: SECRET }]
  },
  { name: 'a literal gateway token', yaml: 'gateway:\n  auth:\n    token: s3cr3t\n',
    problems: [{ path: 'gateway.auth.token', line: 3, message: SECRET }]
  },
  {
    name: 'a literal webhook URL', yaml: 'monitoring:\n  alerts:\n    - type: webhook\n      url: https://hooks.example/T0/B0/x\n',
    problems: [{ path: 'monitoring.alerts[0].url', line: 4, message: SECRET }],
  },
  {
    name: 'a secret reference of neither form', yaml: 'backup:\n  password: {value: hunter2}\n',
    problems: [{ path: 'backup.password', line: 2, message: 'a secret reference is one of {file: /etc/clawops/<name>} (a root-only file holding it) or {env: NAME}' }],
  },
  {
    name: 'a relative secret file', yaml: 'backup:\n  password: {file: restic-password}\n',
    problems: [{ path: 'backup.password.file', line: 2, message: 'must be an absolute path (starting with /)' }],
  },
  { name: 'an alias bomb (billion laughs)', yaml: bomb(),
    problems: [{ path: '(root)', line: 2, message: 'aliases (*name) expand to more than 100 times what they name (a YAML "billion laughs"); write the values out' }]
  },
  { name: 'too many aliases', yaml: `x: &x 1\ny: [${Array(101).fill('*x').join(', ')}]\n`,
    problems: [{ path: '(root)', line: 2, message: '101 aliases (*name); a spec may use at most 100' }]
  },
  { name: '10,000 nested flow lists', yaml: `${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
    problems: [{ path: '(root)', line: 1, message: DEEP }]
  },
  { name: '10,000 nested block lists on one line', yaml: `${'- '.repeat(10_000)}x\n`,
    problems: [{ path: '(root)', line: 1, message: DEEP }]
  },
  { name: '10,000 nested flow maps', yaml: `${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`,
    problems: [{ path: '(root)', line: 1, message: DEEP }]
  },
  {
    name: '65 levels of indented maps', yaml: Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    problems: [{ path: '(root)', line: 65, message: DEEP }],
  },
  { name: 'a text over 1 MiB', yaml: `x: "${'a'.repeat(1024 * 1024)}"\n`,
    problems: [{ path: '(root)', message: 'the spec is 1048582 characters; a spec may be at most 1048576 bytes (1 MiB)' }]
  },
  {
    name: 'a duplicate key', yaml: 'gateway:\n  bind: loopback\ngateway:\n  mdns: off\n',
    problems: [{ path: 'gateway', line: 3, message: 'duplicate key "gateway" (first at line 1): YAML keeps only the last one' }],
  },
  {
    name: 'a key given as number and as string', yaml: 'docker:\n  daemon:\n    1: a\n    "1": b\n',
    problems: [{ path: 'docker.daemon.1', line: 4, message: 'duplicate key "1" (first at line 3): YAML keeps only the last one' }],
  },
  { name: 'two YAML documents', yaml: 'a: 1\n---\nb: 2\n',
    problems: [{ path: '(root)', line: 2, message: 'YAML: more than one YAML document (---); a spec is one' }]
  },
  { name: 'root as service user', yaml: 'instances:\n  - name: a\n    user: root\n',
    problems: [{ path: 'instances[0].user', line: 3, message: ROOT_USER }]
  },
  { name: 'root by instance name', yaml: 'instances:\n  - name: a\n  - name: root\n',
    problems: [{ path: 'instances[1].name', line: 3, message: ROOT_USER }]
  },
  {
    name: 'a shared home', yaml: 'instances:\n  - name: a\n    home: /srv/oc\n  - name: b\n    home: /srv/oc\n',
    problems: [{ path: 'instances[1].home', line: 5, message: "home /srv/oc is also the home of instances[0] (/srv/oc): each instance's user owns its home alone" }],
  },
  {
    name: 'a home inside another', yaml: 'instances:\n  - name: a\n    home: /srv/oc\n  - name: b\n    home: /srv/oc/b\n',
    problems: [{ path: 'instances[1].home', line: 5, message: "home /srv/oc/b is inside the home of instances[0] (/srv/oc): each instance's user owns its home alone" }],
  },
  {
    name: 'a shared user', yaml: 'instances:\n  - name: a\n    user: x\n  - name: b\n    user: x\n',
    problems: [{ path: 'instances[1].user', line: 5, message: 'user x is already used by instances[0]' }],
  },
  {
    name: 'a home in /etc', yaml: 'instances:\n  - name: a\n    home: /etc/oc\n',
    problems: [{ path: 'instances[0].home', line: 3, message: '/etc/oc is in /etc: clawops would hand a system directory to the service user; use /home/<user> or /srv/<name>' }],
  },
  {
    name: 'a top-level home', yaml: 'instances:\n  - name: a\n    home: /srv\n',
    problems: [{ path: 'instances[0].home', line: 3, message: '/srv is a top-level directory: a home must be a directory of its own, e.g. /home/<user>' }],
  },
  {
    name: 'a provider key file inside a home (root reads it, rotate key writes beside it)', yaml: 'instances:\n  - name: a\n    home: /srv/a\nproviders:\n  p: {baseUrl: "http://127.0.0.1:9/v1", apiKey: {file: /srv/a/key}, models: [{id: m}]}\n',
    problems: [{ path: 'providers.p.apiKey.file', line: 5, message: '/srv/a/key is inside the home of instances[0] (/srv/a), which its service user controls; keep it outside' }],
  },
  {
    name: 'clawops state inside a home', yaml: 'instances:\n  - name: a\n    home: /srv/a\nstateDir: /srv/a/clawops\n',
    problems: [{ path: 'stateDir', line: 4, message: '/srv/a/clawops is inside the home of instances[0] (/srv/a), which its service user controls; keep it outside' }],
  },
  {
    name: 'npmPrefix climbing out of the home', yaml: 'openclaw:\n  npmPrefix: ../../usr/local\n',
    problems: [{ path: 'openclaw.npmPrefix', line: 2, message: 'must stay below the service user home: no ".." segments' }],
  },
  {
    name: 'an absolute npmPrefix', yaml: 'openclaw:\n  npmPrefix: /usr/local\n',
    problems: [{ path: 'openclaw.npmPrefix', line: 2, message: 'must be relative (to the service user home), not absolute' }],
  },
  {
    name: 'an identity file ..', yaml: 'identity:\n  files: [SOUL.md, ..]\n',
    problems: [{ path: 'identity.files[1]', line: 2, message: 'a file name in the workspace (no "/", not "." or "..")' }],
  },
  {
    name: 'a home with ..', yaml: 'instances:\n  - name: a\n    home: /home/a/../../etc\n',
    problems: [{ path: 'instances[0].home', line: 3, message: 'must not contain ".." segments: write the path it leads to' }],
  },
  {
    name: 'a relative home', yaml: 'instances:\n  - name: a\n    home: home/a\n',
    problems: [{ path: 'instances[0].home', line: 3, message: 'must be an absolute path (starting with /)' }],
  },
  {
    name: 'a path with //', yaml: 'monitoring:\n  waiversFile: /etc//clawops/waivers.yaml\n',
    problems: [{ path: 'monitoring.waiversFile', line: 2, message: 'must be normalised: no "//", "/./" or trailing "/"' }],
  },
  {
    name: 'a backup repository path with ..', yaml: 'backup:\n  repository: /var/backups/../../etc\n',
    problems: [{ path: 'backup.repository', line: 2, message: 'must not contain ".." segments: write the path it leads to' }],
  },
  { name: 'NUL in a path', yaml: 'stateDir: "/var/lib/cl\\0awops"\n',
    problems: [{ path: 'stateDir', line: 1, message: CONTROL('value', 'U+0000 (NUL)', 12) }]
  },
  {
    name: 'a newline smuggling a directive', yaml: 'tools:\n  deny: ["gateway\\nExecStartPre=/bin/sh"]\n',
    problems: [{ path: 'tools.deny[0]', line: 2, message: CONTROL('value', 'U+000A (newline)', 8) }],
  },
  {
    name: 'a control character in a free-form map key', yaml: 'docker:\n  daemon:\n    "a\\rb": 1\n',
    problems: [{ path: 'docker.daemon["a\\rb"]', line: 3, message: CONTROL('key', 'U+000D (carriage return)', 2) }],
  },
  {
    name: 'an escape sequence in an unknown key is named, not printed', yaml: '"\\e[2J": 1\n',
    problems: [{ path: '["\\u001b[2J"]', line: 1, message: CONTROL('key', 'U+001B (escape)', 1) }],
  },
  {
    name: 'a U+2028 line separator', yaml: 'sandbox:\n  image: "img\\Lx"\n',
    problems: [{ path: 'sandbox.image', line: 2, message: CONTROL('value', 'U+2028', 4) }],
  },
  {
    name: 'a list as a key', yaml: '? [a, b]\n: 1\n',
    problems: [{ path: '(root)', line: 1, message: 'a key must be a plain string, not a list, map or alias' }],
  },
];

for (const c of corpus) {
  test(`refused: ${c.name}`, () => {
    assert.deepEqual(problemsOf(c.yaml), c.problems);
  });
}

test('through the loader every corpus entry is a SpecError (a ClawopsError, exit 1) naming the file and the rule', async () => {
  // (the text over 1 MiB is refused by its byte size before it is decoded: see the loader test below)
  for (const c of corpus.filter((x) => !x.name.includes('over 1 MiB'))) {
    const f = file(c.yaml);
    await assert.rejects(loadSpec(f, { err: () => {} }), (err: unknown) => {
      assert.ok(err instanceof SpecError, `${c.name}: ${String(err)}`);
      assert.equal(err.exitCode, 1);
      const first = c.problems[0] as SpecProblem;
      assert.ok(err.message.startsWith(`${f}: `), err.message);
      assert.ok(err.message.includes(`${first.path}: ${first.message}`), `${c.name}: ${err.message}`);
      return true;
    });
    rmSync(f);
  }
});

test('secrets are never repeated in a message', () => {
  for (const p of problemsOf('backup:\n  password: hunter2\ngateway:\n  auth:\n    token: {value: s3cr3t}\n')) {
    assert.doesNotMatch(p.message, /hunter2|s3cr3t/);
  }
});

test('newlines are allowed where the allow-list says so (an alert command argv), nowhere else', () => {
  const ok = parseSpec('monitoring:\n  alerts:\n    - type: command\n      argv: [sh, -c, "echo a\\necho b"]\n');
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.problems));
  assert.deepEqual(problemsOf('monitoring:\n  alerts:\n    - type: command\n      argv: ["sh\\r"]\n'), [
    { path: 'monitoring.alerts[0].argv[0]', line: 4, message: CONTROL('value', 'U+000D (carriage return)', 3) },
  ]);
});

test('20k unknown keys: the first 50 problems with lines, then a count; under 2 s of CPU', () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n');
  const cpu0 = process.cpuUsage();
  const problems = problemsOf(text);
  const cpu = process.cpuUsage(cpu0);
  assert.equal(problems.length, 51);
  assert.deepEqual(problems[49], { path: 'k49', line: 50, message: 'unknown key "k49" (not part of the spec)' });
  assert.deepEqual(problems[50], { path: '(root)', message: 'and 19950 more problems (the first 50 are listed)', more: 19_950 });
  const err = new SpecError('x.yaml', problems);
  assert.match(err.message, /^x\.yaml: 20000 problems: k0: unknown key "k0" \(not part of the spec\); k1: .*; …$/);
  assert.ok((cpu.user + cpu.system) / 1000 < 2000, `took ${(cpu.user + cpu.system) / 1000} ms of CPU`);
});

test('a valid 20k-key map validates in under 2 s of CPU (duplicate keys are found with a set, not pairwise)', () => {
  const text = `docker:\n  daemon:\n${Array.from({ length: 20_000 }, (_, i) => `    k${i}: 1`).join('\n')}\n`;
  const cpu0 = process.cpuUsage();
  const r = parseSpec(text);
  const cpu = process.cpuUsage(cpu0);
  assert.ok(r.ok);
  assert.equal(Object.keys(r.spec.docker.daemon).length, 20_000);
  assert.ok((cpu.user + cpu.system) / 1000 < 2000, `took ${(cpu.user + cpu.system) / 1000} ms of CPU`);
  const dup = problemsOf(`${text}    k7: 2\n`);
  assert.deepEqual(dup, [{ path: 'docker.daemon.k7', line: 20_003, message: 'duplicate key "k7" (first at line 10): YAML keeps only the last one' }]);
});

test('invalid UTF-8 is a problem naming the line, not a U+FFFD in the deny list', () => {
  const bytes = Buffer.concat([Buffer.from('tools:\n  deny: [gatew'), Buffer.from([0xff]), Buffer.from('y, nodes]\n')]);
  assert.deepEqual(decodeSpec(bytes), {
    path: '(root)', line: 2, message: 'byte 22 (line 2, byte 15 of the line) is not UTF-8 (0xff); save the file as UTF-8',
  });
  // overlong, surrogate and truncated sequences too; a BOM and real multi-byte text are fine
  for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
    assert.equal(typeof decodeSpec(Buffer.from([0x61, ...bad])), 'object', String(bad));
  }
  assert.equal(decodeSpec(Buffer.from('\uFEFFtools: {deny: [gateway]} # é ✓ 🦀\n')), 'tools: {deny: [gateway]} # é ✓ 🦀\n');
});

test('the loader: a file over 1 MiB, invalid UTF-8 and an alias bomb are SpecErrors (exit 1) naming the file', async () => {
  const big = file(`# ${'x'.repeat(1024 * 1024)}\n`);
  const cases: [string, RegExp][] = [
    [big, /: 1 problem: \(root\): the file is 1048579 bytes; a spec may be at most 1048576 bytes \(1 MiB\) \(one is a few KB\)$/],
    [file(Buffer.from([0x61, 0x3a, 0x20, 0xfe, 0x0a])), /: 1 problem: \(root\): byte 4 \(line 1, byte 4 of the line\) is not UTF-8 \(0xfe\); save the file as UTF-8$/],
    [file(bomb()), /: 1 problem: \(root\): aliases \(\*name\) expand to more than 100 times/],
  ];
  for (const [f, message] of cases) {
    await assert.rejects(loadSpec(f, { err: () => assert.fail('no warning expected') }), (err: unknown) => {
      assert.ok(err instanceof SpecError);
      assert.equal(err.exitCode, 1);
      assert.ok(err.message.startsWith(`${f}: `), err.message);
      assert.match(err.message, message);
      return true;
    });
  }
});

test('the loader reads at most 1 MiB whatever the file claims (/dev/zero)', async () => {
  const r = await readSpec('/dev/zero');
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual(r.problems, [{ path: '(root)', message: 'the file is more than 1048576 bytes (1 MiB); a spec may be at most 1048576 bytes (1 MiB) (one is a few KB)' }]);
});

test('an empty spec file warns on stderr that the embedded defaults are used; it is valid', async () => {
  const empty = file('');
  const comments = file('# nothing here yet\n');
  for (const f of [empty, comments]) {
    const seen: string[] = [];
    const spec = await loadSpec(f, { err: (t) => seen.push(t) });
    assert.equal(spec.resolved[0]?.user, 'openclaw-svc');
    assert.deepEqual(seen, [`clawops: warning: ${f} is empty: the embedded defaults are used (\`clawops spec init\` prints them)\n`]);
  }
  const rt = memoryRuntime({ NO_COLOR: '1' });
  assert.equal(await runCli(['spec', 'validate', '-f', empty], rt), 0);
  assert.match(rt.stderr, /^clawops: warning: .* is empty: the embedded defaults are used/);
  assert.match(rt.stdout, /^valid: /);
});

test('the CLI: hostile specs are exit 1 with the rule, never "this is a bug"', async () => {
  const files = [file(bomb()), file(`${'['.repeat(10_000)}\n`), file(Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n'))];
  for (const f of files) {
    for (const argv of [['spec', 'validate', '-f', f], ['--json', 'spec', 'validate', '-f', f], ['render', 'jail.local', '-f', f]]) {
      const rt = memoryRuntime({ NO_COLOR: '1' });
      const code = await runCli(argv, rt);
      assert.equal(code, 1, `${argv.join(' ')}: ${rt.stderr}`);
      assert.doesNotMatch(rt.stderr, /bug in clawops/);
      assert.ok(rt.stderr.split('\n').length < 60, `${argv.join(' ')} printed ${rt.stderr.split('\n').length} lines`);
    }
  }
});

/** mulberry32: a small seeded PRNG, so a failure replays */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['[', ']', '{', '}', ': ', '- ', '&a ', '*a', '<<: *a', '"', "'", '\n', '\t', '\0', '\r', '#', '? ', '|',
  '>', '---\n', '...', '!!str ', '!!binary ', '%YAML 1.1\n', '\u2028', '\u0085', '\uFFFD', '..', '/', 'root', '  ', '~', 'null',
  '0x1F', '1e400', '-.inf', '\\', '\\u0000', '\uD800'];

function mutate(text: string, r: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(r() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (s.length + 1));
    const kind = Math.floor(r() * 5);
    if (kind === 0) s = s.slice(0, at) + (PIECES[Math.floor(r() * PIECES.length)] as string) + s.slice(at);
    else if (kind === 1) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 40));
    else if (kind === 2) s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(at + 1);
    else if (kind === 3) {
      const lines = s.split('\n');
      const i = Math.floor(r() * lines.length);
      lines.splice(i, 0, lines[Math.floor(r() * lines.length)] as string);
      s = lines.join('\n');
    } else s = s.slice(0, at) + s.slice(at).replace(/^( *)/, (m) => (r() < 0.5 ? `${m} ` : m.slice(1)));
  }
  return s;
}

function assertWellFormed(r: ReturnType<typeof parseSpec>, what: string): void {
  if (r.ok) return;
  assert.ok(r.problems.length >= 1 && r.problems.length <= 51, what);
  for (const p of r.problems) {
    // messages and paths never carry raw control characters to the terminal (the value is named, not printed)
    assert.doesNotMatch(`${p.path} ${p.message}`, /[\u0000-\u001F\u007F\u2028\u2029]/, `${what}: ${JSON.stringify(p)}`);
  }
}

test('seeded mutation fuzzing of the example spec: only ever problems, never a throw', () => {
  const base = exampleSpec();
  const r = rng(0xc1a3);
  let invalid = 0;
  for (let i = 0; i < 200; i++) {
    const text = mutate(base, r);
    let result;
    try {
      result = parseSpec(text, 'fuzz.yaml');
    } catch (err) {
      assert.fail(`iteration ${i} threw ${(err as Error)?.stack}\n--- input:\n${text}`);
    }
    assertWellFormed(result, `iteration ${i}`);
    if (!result.ok) invalid++;
  }
  assert.ok(invalid > 60, `only ${invalid} of 200 mutations were invalid: the mutator is too gentle`);
});

test('seeded byte mutation through the loader: a SpecError or a spec, never another error', async () => {
  const base = Buffer.from(exampleSpec());
  const r = rng(0xb17e);
  for (let i = 0; i < 60; i++) {
    const bytes = Buffer.from(base);
    for (let k = 0; k < 1 + Math.floor(r() * 4); k++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
    const f = file(bytes);
    try {
      await loadSpec(f, { err: () => {} });
    } catch (err) {
      assert.ok(err instanceof ClawopsError, `iteration ${i}: ${(err as Error)?.stack}`);
      assert.ok(err instanceof SpecError, `iteration ${i}: ${(err as Error).message}`);
    }
    rmSync(f);
  }
});
