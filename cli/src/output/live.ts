/** Where live lines are drawn: a terminal's stream (`columns` is its width). */
export interface LiveOutput {
  write(text: string): void;
  readonly columns?: number;
}

const ESC = '\u001b[';

/** Live lines only on an interactive terminal that moves its cursor, in text mode, and not --quiet. */
export function showsLiveLines(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, format: 'text' | 'json', quiet: boolean): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb' && format === 'text' && !quiet;
}

/**
 * Lines that change in place at the bottom of a terminal, one per key (a
 * move in progress): redrawn below whatever is printed meanwhile, gone when
 * their key is deleted. Each is cut to the terminal's width so none wraps
 * (a wrapped line would break the count of lines to erase). Writes cursor
 * movements: only for a TTY.
 */
export class LiveLines {
  private readonly lines = new Map<string, string>();
  /** Lines on screen below the cursor's line start, to erase before the next write. */
  private drawn = 0;

  constructor(private readonly out: LiveOutput) {}

  set(key: string, text: string): void {
    this.lines.set(key, text);
    this.out.write(this.erase() + this.draw());
  }

  delete(key: string): void {
    if (!this.lines.delete(key)) return;
    this.out.write(this.erase() + this.draw());
  }

  /** A permanent line (or lines), printed above the live ones. */
  print(text: string): void {
    this.out.write(`${this.erase()}${text}\n${this.draw()}`);
  }

  /** Up to the first live line, then clear to the end of the screen. */
  private erase(): string {
    const sequence = this.drawn > 0 ? `${ESC}${this.drawn}F${ESC}J` : '';
    this.drawn = 0;
    return sequence;
  }

  private draw(): string {
    // A pseudo-terminal may report no width (0): take the usual 80 columns then.
    const width = Math.max(10, (this.out.columns || 80) - 1);
    const lines = [...this.lines.values()].map((line) => fit(line, width));
    this.drawn = lines.length;
    return lines.map((line) => `${line}\n`).join('');
  }
}

function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, width - 1).join('')}…`;
}
