/**
 * The no-follow file primitive: every write, chmod, chown, mkdir, symlink and remove that root does
 * inside a directory a non-root user can write (the service user's home, ~/.openclaw, the npm
 * prefix) goes through here, and so does every Executor.writeFile (shell-executor.ts).
 *
 * Why a small Perl program run on the target: writes go through an Executor that may be local, ssh
 * or nspawn, so the check must happen on the target, in one process, against file descriptors.
 * `sh` + coreutils resolve every path component by name (a user swapping a directory for a symlink
 * between two commands redirects root's chmod to /etc/shadow); python is not on every host; node is
 * there only after install (and is what we protect). `perl-base` is Essential on Debian and Ubuntu
 * (dpkg needs it), and it gives `sysopen` with O_NOFOLLOW|O_DIRECTORY, `chdir(FH)` (fchdir),
 * `chown`/`chmod` on a handle (fchown/fchmod), and `rename` relative to the fchdir'd directory.
 * Writing *as* the owning user instead (setpriv) cannot make the root-owned files that live in user
 * directories (the identity lock: root:user 0444 in the workspace), so this one way does both.
 *
 * The walk: from `/`, each component is lstat'ed, opened O_NOFOLLOW|O_DIRECTORY, compared (dev,
 * inode) with the lstat, and entered with fchdir. A symlink is followed only while every directory
 * so far is owned by root and not group/other-writable (a link only root could have placed, like
 * /var/run -> /run); below the first directory anyone else can write, a symlink or `..` is refused
 * (exit 5) and nothing is touched. The last step acts on a descriptor (fchmod/fchown, a new temp
 * file created O_EXCL|O_NOFOLLOW, then renamed over the name within the held directory), so a swap
 * after the check changes nothing but the user's own entries. Special files (devices, fifos,
 * sockets) are refused: opening one can block or act.
 */
import { ClawopsError, CommandError } from './errors.ts';
import type { Executor, WriteOptions } from '../exec/types.ts';

/** exit codes of the script: the path (or a parent) does not exist; refused (symlink, race, special file) */
export const SAFE_NOT_FOUND = 3;
export const SAFE_REFUSED = 5;

export const SAFE_FS_SCRIPT = String.raw`use strict; use warnings;
use Fcntl qw(O_RDONLY O_WRONLY O_CREAT O_EXCL O_NOFOLLOW O_DIRECTORY O_NONBLOCK S_ISDIR S_ISREG S_ISLNK);
sub refuse { print STDERR "safe-fs: $_[0]\n"; exit 5 }
sub missing { print STDERR "safe-fs: $_[0]: no such file or directory\n"; exit 3 }
sub fail { print STDERR "safe-fs: $_[0]\n"; exit 1 }
sub trusted { my @s = @_; return $s[4] == 0 && ($s[2] & 022) == 0 }
sub enter { my ($name, @l) = @_;
  sysopen(my $fh, $name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
    or refuse("$name: cannot open as a directory ($!)");
  my @s = stat($fh); refuse("$name changed while it was checked") if $s[0] != $l[0] || $s[1] != $l[1];
  chdir($fh) or fail("$name: $!"); return @s }
sub root { my @l = lstat('/'); enter('/', @l) }
my $safe; my $hops = 0;
# walk to the parent of the last component; returns its name with cwd = the parent directory
sub walk { my ($path, $mkparents, $follow) = @_;
  refuse("$path is not an absolute path") unless $path =~ m{^/};
  my @parts = grep { $_ ne '' && $_ ne '.' } split m{/}, $path;
  $safe = trusted(root()); my $base;
  while (1) {
    missing($path) unless @parts;
    my $c = shift @parts;
    if ($c eq '..') { refuse("'..' below a directory others can write, in $path") unless $safe;
      my @l = lstat('..'); my @s = enter('..', @l); $safe = trusted(@s); next }
    my @l = lstat($c);
    if (!@parts) {
      if (@l && S_ISLNK($l[2]) && $follow) {
        refuse("$path: $c is a symlink in a directory others can write") unless $safe;
        refuse("$path: too many symlinks") if ++$hops > 32;
        my $t = readlink($c) // fail("readlink $c: $!");
        $safe = trusted(root()) if $t =~ m{^/};
        unshift @parts, grep { $_ ne '' && $_ ne '.' } split m{/}, $t; next }
      $base = $c; last }
    if (!@l) { missing($path) unless $mkparents;
      mkdir($c, 0755) or fail("mkdir $c: $!"); @l = lstat($c) or fail("$c: $!") }
    if (S_ISLNK($l[2])) {
      refuse("$path: $c is a symlink in a directory others can write") unless $safe;
      refuse("$path: too many symlinks") if ++$hops > 32;
      my $t = readlink($c) // fail("readlink $c: $!");
      $safe = trusted(root()) if $t =~ m{^/};
      unshift @parts, grep { $_ ne '' && $_ ne '.' } split m{/}, $t; next }
    refuse("$path: $c is not a directory") unless S_ISDIR($l[2]);
    my @s = enter($c, @l); $safe = $safe && trusted(@s);
  }
  refuse("$path: '..' as the last component") if $base eq '..';
  return $base }
sub ids { my ($u, $g) = @_; my ($uid, $gid) = (-1, -1);
  if ($u ne '') { $uid = $u =~ /^\d+$/ ? $u : (getpwnam($u))[2]; fail("no user $u") unless defined $uid }
  if ($g ne '') { $gid = $g =~ /^\d+$/ ? $g : (getgrnam($g))[2]; fail("no group $g") unless defined $gid }
  return ($uid, $gid) }
# an existing entry as a handle: regular files and directories only, never through a symlink
sub handle { my ($b) = @_; my @l = lstat($b) or missing($b);
  refuse("$b is a symlink") if S_ISLNK($l[2]);
  refuse("$b is not a regular file or directory") unless S_ISREG($l[2]) || S_ISDIR($l[2]);
  sysopen(my $fh, $b, O_RDONLY | O_NOFOLLOW | O_NONBLOCK) or refuse("$b: $!");
  my @s = stat($fh); refuse("$b changed while it was checked") if $s[0] != $l[0] || $s[1] != $l[1];
  return $fh }
sub settle { my ($fh, $mode, $u, $g) = @_; my ($uid, $gid) = ids($u, $g);
  if ($uid != -1 || $gid != -1) { chown($uid, $gid, $fh) or fail("chown: $!") }
  if ($mode ne '') { chmod(oct($mode), $fh) or fail("chmod: $!") } }
sub syncdir { require IO::Handle; if (sysopen(my $d, '.', O_RDONLY | O_DIRECTORY)) { $d->sync } }
my $op = shift @ARGV // fail('no operation');
if ($op eq 'read') { my $b = walk($ARGV[0], 0, 1); my @l = lstat($b) or missing($ARGV[0]);
  refuse("$ARGV[0] is not a regular file") unless S_ISREG($l[2]);
  my $fh = handle($b); binmode STDOUT; my $buf;
  while (1) { my $n = sysread($fh, $buf, 65536); fail("read: $!") unless defined $n; last if !$n; print $buf }
  exit 0 }
if ($op eq 'write') { my ($p, $mode, $u, $g, $size) = @ARGV; my $b = walk($p, 0, 0);
  my @l = lstat($b); refuse("$p is a directory") if @l && S_ISDIR($l[2]);
  if (opendir(my $dh, '.')) { for my $e (readdir $dh) { next unless index($e, ".$b.clawops-") == 0;
    my @e = lstat($e); unlink($e) if @e && S_ISREG($e[2]) && time - $e[9] > 600 } }
  my ($t, $fh);
  for (1 .. 50) { $t = sprintf('.%s.clawops-%06x', $b, int(rand(0xffffff)));
    last if sysopen($fh, $t, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600); undef $fh }
  fail("cannot create a temp file beside $p: $!") unless $fh;
  my $ok = eval { binmode STDIN; my ($n, $buf, $total) = (0, '', 0);
    while (($n = sysread(STDIN, $buf, 65536))) { $total += $n;
      for (my $off = 0; $off < $n;) {
        my $w = syswrite($fh, $buf, $n - $off, $off); die "write: $!\n" unless defined $w; $off += $w } }
    die "read: $!\n" unless defined $n;
    die "short write: expected $size bytes, got $total\n" if $total != $size;
    settle($fh, $mode, $u, $g); require IO::Handle; $fh->sync; close($fh) or die "close: $!\n";
    rename($t, $b) or die "rename: $!\n"; 1 };
  if (!$ok) { unlink($t); fail($@ =~ s/\n$//r) }
  syncdir(); exit 0 }
if ($op eq 'chmod') { my $b = walk($ARGV[0], 0, 1); settle(handle($b), $ARGV[1], '', ''); exit 0 }
if ($op eq 'chown') { my $b = walk($ARGV[0], 0, 1); settle(handle($b), '', $ARGV[1], $ARGV[2]); exit 0 }
if ($op eq 'mkdir') { my ($p, $mode, $u, $g) = @ARGV; my $b = walk($p, 1, 1);
  if (!lstat($b)) { mkdir($b, 0700) or fail("mkdir $p: $!") }
  my @l = lstat($b); refuse("$p exists and is not a directory") unless S_ISDIR($l[2]);
  my $fh = handle($b); settle($fh, $mode, $u, $g); exit 0 }
if ($op eq 'symlink') { my ($p, $target, $u, $g) = @ARGV; my $b = walk($p, 0, 0);
  my @l = lstat($b); refuse("$p is a directory") if @l && S_ISDIR($l[2]);
  my $t = sprintf('.%s.clawops-%06x', $b, int(rand(0xffffff)));
  symlink($target, $t) or fail("symlink: $!"); my ($uid, $gid) = ids($u, $g);
  if ($uid != -1 || $gid != -1) {
    require POSIX; POSIX::lchown($uid, $gid, $t) or do { unlink($t); fail("lchown: $!") } }
  rename($t, $b) or do { unlink($t); fail("rename: $!") }; syncdir(); exit 0 }
if ($op eq 'remove') { my $b = walk($ARGV[0], 0, 0); my @l = lstat($b) or exit 0;
  if (S_ISDIR($l[2])) { rmdir($b) or fail("rmdir $ARGV[0]: $!") }
  else { unlink($b) or fail("unlink $ARGV[0]: $!") }
  exit 0 }
fail("unknown operation $op")`;

/** argv running one operation of the script (perl from root's fixed PATH: /usr/bin/perl). */
export type SafeFsOp = 'read' | 'write' | 'chmod' | 'chown' | 'mkdir' | 'symlink' | 'remove';
export function safeFsArgv(op: SafeFsOp, ...args: string[]): string[] {
  return ['perl', '-e', SAFE_FS_SCRIPT, '--', op, ...args];
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

type OpResult = { code: number; stdout: Buffer };
async function op(ex: Executor, argv: string[], what: string, stdin?: string | Buffer): Promise<OpResult> {
  const r = await ex.run(argv, { allowFailure: true, ...(stdin !== undefined ? { stdin } : {}) });
  if (r.exitCode === 0) return { code: 0, stdout: r.stdoutBytes };
  if (r.exitCode === SAFE_NOT_FOUND) return { code: SAFE_NOT_FOUND, stdout: r.stdoutBytes };
  const why = r.stderr.trim().split('\n').pop()?.replace(/^safe-fs: /, '') ?? `exit ${r.exitCode}`;
  if (r.exitCode === SAFE_REFUSED) {
    throw new ClawopsError(`refused to ${what} on ${ex.target}: ${why}`, {
      hint:
        'a symlink, a special file or a concurrent change sits where clawops writes as root; look at who made it ' +
        '(it may be an escalation attempt), remove it and run again',
    });
  }
  throw new CommandError(
    {
      argv: argv.slice(0, 1).concat(argv.slice(3)), target: ex.target, exitCode: r.exitCode, signal: r.signal,
      timedOut: r.timedOut, stdout: '', stderr: r.stderr, durationMs: r.durationMs,
    },
    { hint: `check that the directory exists and that perl (perl-base) is installed on ${ex.target}` },
  );
}

const AGAIN = 'run again; something removed it meanwhile';
const MKDIR = 'create the directory first';
const gone = (message: string, hint: string) => new ClawopsError(message, { hint });

/** Atomic write that follows no symlink below a directory others can write (see the header). */
export async function safeWrite(
  ex: Executor, path: string, content: string | Buffer, opts: WriteOptions,
): Promise<void> {
  const size = String(Buffer.byteLength(content));
  const argv = safeFsArgv('write', path, octal(opts.mode), opts.owner ?? '', opts.group ?? '', size);
  const r = await op(ex, argv, `write ${path}`, content);
  if (r.code === SAFE_NOT_FOUND) throw gone(`cannot write ${path} on ${ex.target}: no such directory`, MKDIR);
}

/** A regular file's bytes, or null when absent; never through a user's link, never a fifo or device. */
export async function safeRead(ex: Executor, path: string): Promise<Buffer | null> {
  const r = await op(ex, safeFsArgv('read', path), `read ${path}`);
  return r.code === SAFE_NOT_FOUND ? null : r.stdout;
}

export async function safeChmod(ex: Executor, path: string, mode: number): Promise<void> {
  const r = await op(ex, safeFsArgv('chmod', path, octal(mode)), `chmod ${path}`);
  if (r.code === SAFE_NOT_FOUND) throw gone(`cannot chmod ${path} on ${ex.target}: it does not exist`, AGAIN);
}

export async function safeChown(ex: Executor, path: string, owner: string, group = ''): Promise<void> {
  const r = await op(ex, safeFsArgv('chown', path, owner, group), `chown ${path}`);
  if (r.code === SAFE_NOT_FOUND) throw gone(`cannot chown ${path} on ${ex.target}: it does not exist`, AGAIN);
}

/** `install -d`: missing parents made (root 0755), the directory itself given owner, group and mode by descriptor. */
export async function safeMkdir(ex: Executor, path: string, opts: WriteOptions): Promise<void> {
  await op(ex, safeFsArgv('mkdir', path, octal(opts.mode), opts.owner ?? '', opts.group ?? ''), `create ${path}`);
}

/** `ln -sfn TARGET PATH` without following anything: a temp link renamed over the name. */
export async function safeSymlink(ex: Executor, path: string, target: string, owner = '', group = ''): Promise<void> {
  const r = await op(ex, safeFsArgv('symlink', path, target, owner, group), `link ${path}`);
  if (r.code === SAFE_NOT_FOUND) throw gone(`cannot link ${path} on ${ex.target}: no such directory`, MKDIR);
}

/** `rm -f` of a file or symlink, `rmdir` of an empty directory; absent is fine. */
export async function safeRemove(ex: Executor, path: string): Promise<void> {
  await op(ex, safeFsArgv('remove', path), `remove ${path}`);
}
