// Tables for people and for scripts: boxed by cli-table3 on a terminal, plain aligned columns otherwise (a pipe, a
// file, CI), so that `| grep` and `| awk` work and nothing draws box characters into logs.

/** Renders `rows` under `head`. On a terminal (stdout a TTY, no CI) a cli-table3 table, else aligned plain text. */
export async function renderTable(head: readonly string[], rows: readonly (readonly string[])[],
  tty = Boolean(process.stdout.isTTY) && !process.env.CI): Promise<string> {
  if (tty) {
    const {default: Table} = await import('cli-table3');
    const table = new Table({head: [...head], style: {head: [], border: [], compact: true}});
    table.push(...rows.map((r) => [...r]));
    return table.toString();
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
