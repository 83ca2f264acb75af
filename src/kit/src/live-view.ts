// A live, top-like terminal view (`tars stat watch`, `tars property watch`): the alternate screen, the frame redrawn
// in place every interval (each line overwritten and cleared to its end, never the whole screen: no flicker), keys
// read raw, and the terminal given back as it was on every way out (q, Ctrl-C, SIGTERM, an error).

/** What a frame may use: the terminal's size now. */
export interface ViewSize {
  readonly columns: number;
  readonly rows: number;
}

/** A live view: how to draw a frame, and what keys do. */
export interface LiveViewOptions {
  /** The frame's lines (ANSI colours allowed); cut to the terminal's width and height when drawn. */
  render(size: ViewSize): string[] | Promise<string[]>;
  /** How often to redraw, ms. */
  readonly intervalMs: number;
  /**
   * A key (one character, or a name: `up`, `down`, `left`, `right`, `enter`, `escape`) other than q and Ctrl-C,
   * which always quit. Return 'quit' to end, 'redraw' to draw at once.
   */
  onKey?(key: string): 'quit' | 'redraw' | void;
  readonly input?: NodeJS.ReadStream;
  readonly output?: NodeJS.WriteStream;
}

const ESC = '\x1b[';
const ENTER_SCREEN = `${ESC}?1049h${ESC}?25l`;
const LEAVE_SCREEN = `${ESC}?25h${ESC}?1049l`;
const HOME = `${ESC}H`;
const CLEAR_LINE_END = `${ESC}K`;
const CLEAR_BELOW = `${ESC}J`;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The text without its ANSI sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** `text` cut to `width` visible characters, its ANSI sequences kept (and the colour reset when cut). */
export function fitWidth(text: string, width: number): string {
  let visible = 0;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(ANSI)) {
    const plain = text.slice(last, m.index);
    if (visible + plain.length > width) return `${out}${plain.slice(0, width - visible)}${ESC}0m`;
    out += plain + m[0];
    visible += plain.length;
    last = m.index + m[0].length;
  }
  const rest = text.slice(last);
  return visible + rest.length > width ? `${out}${rest.slice(0, width - visible)}${ESC}0m` : out + rest;
}

const COLOURS = {red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1, inverse: 7} as const;
/** A colour or style of {@link paint}. */
export type Colour = keyof typeof COLOURS;

/** Whether colours are wanted: a terminal, and no NO_COLOR (https://no-color.org). */
export function coloursWanted(output: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(output.isTTY) && !('NO_COLOR' in process.env);
}

/** `text` in `colour` when `on`, else as it is. */
export function paint(text: string, colour: Colour, on = true): string {
  return on ? `${ESC}${COLOURS[colour]}m${text}${ESC}0m` : text;
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of `values` (oldest first), one character each, the last `width` of them: ▁ for the smallest (or 0)
 * up to █ for the largest; a value that is not a finite number is a space.
 */
export function sparkline(values: readonly number[], width = values.length): string {
  const shown = values.slice(-width);
  const finite = shown.filter(Number.isFinite);
  const max = Math.max(0, ...finite);
  return shown.map((v) => {
    if (!Number.isFinite(v)) return ' ';
    if (max <= 0) return BARS[0];
    return BARS[Math.min(BARS.length - 1, Math.round((Math.max(0, v) / max) * (BARS.length - 1)))];
  }).join('');
}

/** The name of a key from raw input. */
function keyName(data: string): string {
  switch (data) {
    case '\x1b[A': return 'up';
    case '\x1b[B': return 'down';
    case '\x1b[C': return 'right';
    case '\x1b[D': return 'left';
    case '\r': case '\n': return 'enter';
    case '\x1b': return 'escape';
    default: return data;
  }
}

/**
 * Runs the view until q, Ctrl-C, SIGTERM or SIGHUP (resolves), or until `render` throws (rejects, after the terminal
 * is restored). Needs a terminal on both sides: callers check `isTTY` first and print one frame otherwise.
 */
export async function runLiveView(options: LiveViewOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const wasRaw = input.isRaw;
  let timer: NodeJS.Timeout | undefined;
  let drawing = false;
  let again = false;
  let finish!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  let ended = false;
  const size = (): ViewSize => ({columns: output.columns || 80, rows: output.rows || 24});
  const draw = async (): Promise<void> => {
    if (ended) return;
    if (drawing) {
      again = true;
      return;
    }
    drawing = true;
    try {
      const {columns, rows} = size();
      const lines = (await options.render({columns, rows})).slice(0, rows);
      if (ended) return;
      output.write(HOME + lines.map((l) => fitWidth(l, columns) + CLEAR_LINE_END).join('\r\n') + CLEAR_BELOW);
    } catch (error) {
      end(error);
    } finally {
      drawing = false;
      if (again && !ended) {
        again = false;
        void draw();
      }
    }
  };
  const onData = (chunk: Buffer | string): void => {
    const key = keyName(chunk.toString());
    if (key === 'q' || key === 'Q' || key === '\x03') {
      end();
      return;
    }
    const answer = options.onKey?.(key);
    if (answer === 'quit') end();
    else if (answer === 'redraw') void draw();
  };
  const onResize = (): void => void draw();
  const onSignal = (): void => end();
  function end(error?: unknown): void {
    if (ended) return;
    ended = true;
    if (timer) clearInterval(timer);
    input.off('data', onData);
    output.off('resize', onResize);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('SIGINT', onSignal);
    if (input.isTTY) input.setRawMode(wasRaw);
    input.pause();
    output.write(LEAVE_SCREEN);
    finish(error);
  }
  output.write(ENTER_SCREEN);
  if (input.isTTY) input.setRawMode(true);
  input.setEncoding('utf8');
  input.on('data', onData);
  input.resume();
  output.on('resize', onResize);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onSignal);
  await draw();
  timer = setInterval(() => void draw(), options.intervalMs);
  return done;
}
