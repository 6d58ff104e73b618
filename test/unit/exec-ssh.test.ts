import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ClawopsError } from '../../src/core/errors.ts';
import { diagnoseSsh, knownHostsName, muxNotReady, parseSshUrl, remoteCommand, SshTransport } from '../../src/exec/ssh.ts';
import { parseTarget } from '../../src/exec/target.ts';

const fixture = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');

/** The stderr of one `== title` section of the recorded ssh-batchmode sample. */
function sampleSection(title: string): string {
  const text = fixture('samples/ssh-batchmode.txt');
  const start = text.indexOf(`== ${title}`);
  assert.ok(start >= 0, title);
  const body = text.slice(text.indexOf('\n', start) + 1);
  return body.slice(0, body.search(/^rc=/m));
}

const T = { user: 'root', host: '127.0.0.1', port: 22222 };
const TARGET = 'ssh://root@127.0.0.1:22222';

describe('ssh: recorded refusals become actionable ClawopsErrors', () => {
  it('unknown host key (recorded): says it is not trusted and how to trust it, never auto-accepting', () => {
    const d = diagnoseSsh(sampleSection('unknown host key'), { ...T, knownHostsFile: '/tmp/kh' }, TARGET);
    assert.equal(d?.message, 'the host key of ssh://root@127.0.0.1:22222 is not trusted (not in /tmp/kh); refusing to connect');
    assert.match(d?.hint ?? '', /ssh-keyscan -p 22222 127\.0\.0\.1 > \/tmp\/hostkeys && ssh-keygen -lf \/tmp\/hostkeys/);
    assert.match(d?.hint ?? '', /append the matching line to \/tmp\/kh/);
    assert.match(d?.hint ?? '', /never accepts host keys/);
  });
  it('changed host key (recorded): names the attack and the removal command', () => {
    const d = diagnoseSsh(fixture('ssh/host-key-changed.stderr'), { ...T, port: 22999 }, 'ssh://root@127.0.0.1:22999');
    assert.match(d?.message ?? '', /has changed since it was trusted in ~\/\.ssh\/known_hosts; refusing to connect \(possible man-in-the-middle\)/);
    assert.match(d?.hint ?? '', /ssh-keygen -R '\[127\.0\.0\.1\]:22999' -f ~\/\.ssh\/known_hosts/);
  });
  it('refused key (recorded) and connection refused (recorded)', () => {
    const auth = diagnoseSsh(sampleSection('no key'), T, TARGET);
    assert.equal(auth?.message, `${TARGET} refused the login of root (root@127.0.0.1: Permission denied (publickey).)`);
    assert.match(auth?.hint ?? '', /authorized_keys/);
    const conn = diagnoseSsh(fixture('ssh/connection-refused.stderr'), { ...T, port: 1 }, 'ssh://root@127.0.0.1:1');
    assert.equal(conn?.message, 'cannot connect to ssh://root@127.0.0.1:1: connect to host 127.0.0.1 port 1: Connection refused');
  });
  it('a remote command that itself exits 255 is not mistaken for a refusal', () => {
    assert.equal(diagnoseSsh('my-tool: fatal: bad input\n', T, TARGET), undefined);
  });
  it('known_hosts names', () => {
    assert.equal(knownHostsName({ host: 'h.example', port: 22 }), 'h.example');
    assert.equal(knownHostsName({ host: '127.0.0.1', port: 2222 }), '[127.0.0.1]:2222');
  });
});

describe('ssh: remote command line', () => {
  it('wraps in the remote timeout, quotes every word, adds env, cwd and user', () => {
    assert.equal(
      remoteCommand('root', ['printf', '%s', "a b'c"], { env: { K: 'v w' }, timeoutMs: 1500, cwd: '/srv/x y', user: 'svc' }),
      "sh -c 'cd -- \"$1\" || exit 127; shift; exec \"$@\"' sh '/srv/x y' env 'K=v w' timeout --verbose -k 2s 1.500s runuser -u svc -- printf %s 'a b'\\''c'",
    );
  });
  it('a non-root login enters the working directory after sudo (a root-only directory works)', () => {
    assert.match(remoteCommand('ops', ['ls'], { env: {}, timeoutMs: 1000, cwd: '/var/lib/clawops' }), /^sudo -n sh -c '[^']*' sh \/var\/lib\/clawops timeout /);
  });
  it('reopen: a new connection with the same user, port, identity, known_hosts, config and timeout', () => {
    const url = 'ssh://ops@h.example:2222?identity=/k/id&knownHosts=/k/kh&config=/k/cfg&connectTimeout=7';
    const t = new SshTransport(parseSshUrl(url));
    const again = t.reopen();
    assert.notEqual(again, t);
    const opts = (x: SshTransport) => x.startCommand(['true'], {}).argv.map((a) => a.replace(/ControlPath=.*/, 'ControlPath=X'));
    const a = opts(t);
    assert.deepEqual(opts(again), a);
    for (const want of ['/k/id', '/k/kh', '/k/cfg', '2222', 'ConnectTimeout=7']) assert.ok(a.some((w) => w.includes(want)), want);
    assert.notEqual(again.startCommand(['true'], {}).argv.find((w) => w.startsWith('ControlPath=')), t.startCommand(['true'], {}).argv.find((w) => w.startsWith('ControlPath=')), 'its own control socket');
  });
  it('a non-root login goes through sudo -n', () => {
    assert.equal(remoteCommand('ops', ['true'], { env: {}, timeoutMs: 60_000 }), 'sudo -n timeout --verbose -k 2s 60.000s true');
  });
  it('a long-lived command (the host lock\'s holder) has no remote timeout, still sudo -n', () => {
    const t = new SshTransport(parseSshUrl('ssh://ops@h'));
    const argv = t.startCommand(['sh', '-c', 'cat'], {}).argv;
    assert.equal(argv.at(-1), 'sudo -n sh -c cat');
    assert.deepEqual(argv.slice(-2, -1), ['h']);
  });
});

describe('--target parsing', () => {
  it('accepts local, ssh:// with options, nspawn:NAME', () => {
    assert.deepEqual(parseTarget(undefined), { kind: 'local' });
    assert.deepEqual(parseTarget('nspawn:tb-1'), { kind: 'nspawn', name: 'tb-1' });
    assert.deepEqual(parseSshUrl('ssh://deploy@[::1]:2200?identity=/k%20x&knownHosts=/kh&connectTimeout=5'), {
      user: 'deploy', host: '::1', port: 2200, identityFile: '/k x', knownHostsFile: '/kh', connectTimeoutSec: 5,
    });
    assert.deepEqual(parseSshUrl('ssh://host.example'), { user: 'root', host: 'host.example', port: 22 });
  });
  const bad: [string, RegExp][] = [
    ['ssh://', /^invalid --target ssh:\/\/: no host$/],
    ['ssh://h:99999', /^invalid --target ssh:\/\/h:99999: port 99999 is out of range$/],
    ['ssh://h:0', /port 0 is out of range/],
    ['ssh://u:pw@h', /passwords are not accepted/],
    ['ssh://h/path', /unexpected path \/path/],
    ['ssh://h?identty=/k', /unknown option identty \(known: identity, knownHosts, connectTimeout, config\)/],
    ['ssh://h?config=ssh_config', /config must be an absolute path, got "ssh_config"/],
    ['ssh://h?connectTimeout=soon', /connectTimeout must be a whole number of seconds/],
    ['ssh://a b', /it contains whitespace/],
    ['nspawn:', /^invalid --target nspawn:: no machine name$/],
    ['nspawn:../x', /is not a machine name/],
    ['root@host', /^unknown --target root@host; did you mean ssh:\/\/root@host\?$/],
    ['docker:x', /^unknown --target docker:x$/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)} with one line and a hint`, () => {
      assert.throws(() => parseTarget(input), (e: unknown) => {
        assert.ok(e instanceof ClawopsError);
        assert.match(e.message, message);
        assert.doesNotMatch(e.message, /\n/);
        assert.match(e.hint ?? '', /^use /);
        return true;
      });
    });
  }
});

describe('ssh: an operator\'s ssh config file (?config=)', () => {
  it('is parsed from the URL and passed first with -F, so BatchMode, strict host keys, user and port still win', async () => {
    const t = parseSshUrl('ssh://root@standby?config=/etc/clawops/ssh%20config&knownHosts=/kh');
    assert.deepEqual(t, { user: 'root', host: 'standby', port: 22, configFile: '/etc/clawops/ssh config', knownHostsFile: '/kh' });
    const transport = new SshTransport(t);
    try {
      const argv = transport.sshArgv('true');
      assert.deepEqual(argv.slice(0, 3), ['ssh', '-F', '/etc/clawops/ssh config']);
      const opts = argv.join(' ');
      assert.match(opts, /-o BatchMode=yes -o StrictHostKeyChecking=yes/);
      assert.match(opts, /-p 22 -l root/);
      assert.deepEqual(argv.slice(-3), ['--', 'standby', 'true']);
    } finally {
      await transport.close();
    }
  });
  it('without ?config= no -F is passed (the user\'s own ~/.ssh/config applies as before)', async () => {
    const transport = new SshTransport(parseSshUrl('ssh://root@h'));
    try {
      assert.ok(!transport.sshArgv('true').includes('-F'));
    } finally {
      await transport.close();
    }
  });
});

describe('ssh: a master connection not ready in time', () => {
  it('is recognised (the command was never sent: run once more); a refusal or a remote exit 255 is not', () => {
    // OpenSSH's words (the standby suite saw them on a loaded machine, with a ProxyCommand)
    assert.equal(muxNotReady('Failed to connect to new control master\n'), true);
    assert.equal(muxNotReady('Host key verification failed.\n'), false);
    assert.equal(muxNotReady(''), false);
  });
});
