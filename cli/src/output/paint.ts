/**
 * Terminal colours: on for a TTY (or FORCE_COLOR), always off with NO_COLOR —
 * https://no-color.org — so piped output and logs stay plain.
 */
export interface Paint {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export const COLOURS: Paint = {
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

const identity = (text: string) => text;
export const PLAIN: Paint = { green: identity, yellow: identity, red: identity, bold: identity, dim: identity };

export function useColours(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
