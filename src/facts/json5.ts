/**
 * OpenClaw's config is JSON5. Files it writes are plain JSON; hand edits may add comments,
 * trailing commas, unquoted keys or single quotes. This reads that subset without a dependency.
 */
export function parseJson5(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(toJson(text));
  }
}

function toJson(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    const n = src[i + 1] ?? '';
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          s += src[j]! + (src[j + 1] ?? '');
          j += 2;
        } else s += src[j++];
      }
      out += c === '"' ? `"${s}"` : JSON.stringify(s.replace(/\\'/g, "'"));
      i = j + 1;
    } else if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && n === '*') {
      i = src.indexOf('*/', i + 2);
      i = i < 0 ? src.length : i + 2;
    } else if (/[A-Za-z_$]/.test(c) && /[{,]\s*$/.test(out)) {
      let j = i;
      while (j < src.length && /[\w$]/.test(src[j] ?? '')) j++;
      out += `"${src.slice(i, j)}"`;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}
