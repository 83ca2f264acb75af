// A line diff, for `tars config diff` and the console's review before a config push: longest common subsequence,
// printed as a unified diff with 3 lines of context. Config files are small (the size limit is 1 MiB); past
// 4000 x 4000 lines it compares whole files.

type Op = {kind: ' ' | '-' | '+'; line: string};

function lcsOps(a: string[], b: string[]): Op[] {
  if (a.length * b.length > 16_000_000) {
    return [...a.map((line): Op => ({kind: '-', line})), ...b.map((line): Op => ({kind: '+', line}))];
  }
  const n = a.length;
  const m = b.length;
  const table = Array.from({length: n + 1}, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({kind: ' ', line: a[i]});
      i++;
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) {
      ops.push({kind: '-', line: a[i++]});
    } else {
      ops.push({kind: '+', line: b[j++]});
    }
  }
  while (i < n) ops.push({kind: '-', line: a[i++]});
  while (j < m) ops.push({kind: '+', line: b[j++]});
  return ops;
}

const linesOf = (text: string): string[] => text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);

/** The unified diff of `from` and `to` ('' when they are equal), with `---`/`+++` headers naming them. */
export function unifiedDiff(from: string, to: string, fromName: string, toName: string, context = 3): string {
  if (from === to) return '';
  const ops = lcsOps(linesOf(from), linesOf(to));
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  const changed = ops.map((o, k) => o.kind !== ' ' ? k : -1).filter((k) => k >= 0);
  if (changed.length === 0) {
    // Same lines, different line ends or final newline.
    out.push('@@ line endings differ @@');
    return `${out.join('\n')}\n`;
  }
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(ops.length, changed[k] + context + 1);
    while (k + 1 < changed.length && changed[k + 1] - context <= end) {
      k++;
      end = Math.min(ops.length, changed[k] + context + 1);
    }
    k++;
    let aStart = 1;
    let bStart = 1;
    for (let x = 0; x < start; x++) {
      if (ops[x].kind !== '+') aStart++;
      if (ops[x].kind !== '-') bStart++;
    }
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${aLen === 0 ? aStart - 1 : aStart},${aLen} +${bLen === 0 ? bStart - 1 : bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}
