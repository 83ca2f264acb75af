import type {Pos} from './ast.js';

/**
 * One source file's text with its line starts, so diagnostics can quote the offending line. Lines end at '\n'; a
 * '\r' before it is not part of the line, so CRLF files quote cleanly.
 */
export class SourceText {
  private readonly starts: number[] = [0];

  constructor(readonly file: string, readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** The text of 1-based line `n` without its line terminator; '' when the line does not exist. */
  line(n: number): string {
    if (n < 1 || n > this.starts.length) return '';
    const start = this.starts[n - 1]!;
    let end = n < this.starts.length ? this.starts[n]! - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  /** The 1-based position of a UTF-16 offset. */
  posAt(offset: number): Pos {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return {file: this.file, line: lo + 1, col: offset - this.starts[lo]! + 1};
  }
}
