/**
 * Loading an EnvironmentFile into a shell without sourcing it. `. FILE` runs whatever the file
 * holds (a `$(...)` line is code), so the root boundary forbids it everywhere: this POSIX sh
 * function reads `KEY=VALUE` lines the way systemd's EnvironmentFile= does for the lines clawops
 * writes (comments and blank lines skipped, one pair of surrounding quotes removed, nothing
 * expanded) and exports each pair with `export "K=V"`, which assigns literally.
 * Use: `${LOAD_ENV_FN} load_env "$FILE"` inside an sh -c script (a missing file loads nothing).
 */
export const LOAD_ENV_FN = `load_env() { [ -r "$1" ] || return 0
while IFS= read -r l || [ -n "$l" ]; do
  case $l in ''|'#'*|';'*) continue;; *=*) ;; *) continue;; esac
  k=\${l%%=*}; v=\${l#*=}
  case $k in ''|[0-9]*|*[!A-Za-z0-9_]*) continue;; esac
  case $v in \\"*\\") v=\${v#\\"}; v=\${v%\\"};; \\'*\\') v=\${v#\\'}; v=\${v%\\'};; esac
  export "$k=$v"
done < "$1"; }
`;

/** KEY=VALUE text (an EnvironmentFile) with `values` set, at the end, and every other line kept. */
export function envTextWith(existing: string, values: Record<string, string>): string {
  const names = new Set(Object.keys(values));
  const kept = existing.split('\n').filter((l) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(l);
    return l.trim() !== '' && !(m && names.has(m[1] ?? ''));
  });
  return `${[...kept, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)].join('\n')}\n`;
}

/** Pure: the KEY=VALUE pairs of an EnvironmentFile's text (one pair of surrounding quotes removed). */
export function envTextVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m) vars[m[1] ?? ''] = (m[2] ?? '').replace(/^(["'])(.*)\1$/, '$2');
  }
  return vars;
}

/** Pure: the text without the lines that set any of `names` (null: none of them was there); other lines kept. */
export function envTextWithout(text: string, names: readonly string[]): string | null {
  const vars = envTextVars(text);
  if (!names.some((n) => n in vars)) return null;
  const kept = text.split('\n').filter((l) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(l);
    return !(m && names.includes(m[1] ?? ''));
  });
  return envTextWith(kept.join('\n'), {});
}
