// Errors a template can raise. Each carries the template's file name and line, the macro it was
// raised in (when any), and a short excerpt with a caret, so a CLI prints them without a stack.

export class JinjaError extends Error {
  filename: string | undefined;
  lineno: number | undefined;
  macroName: string | undefined;
  /** The offending source line and a caret under it, or '' when the source is unknown. */
  excerpt = '';
  /** The message without location, as Jinja2 words it. */
  readonly rawMessage: string;
  /** For runtime errors: the Python exception class Jinja2 would raise (TypeError, ZeroDivisionError, ...). */
  pyType: string | undefined;

  constructor(message: string, lineno?: number, filename?: string) {
    super(message);
    this.name = new.target.name;
    this.rawMessage = message;
    this.lineno = lineno;
    this.filename = filename;
  }

  /** Fill in location and rebuild the message (`file:line: message` plus `in macro`). */
  locate(filename: string | undefined, lineno: number | undefined, source: string | undefined, macroName?: string): this {
    if (this.lineno === undefined) this.lineno = lineno;
    if (this.filename === undefined) this.filename = filename;
    if (this.macroName === undefined && macroName !== undefined) this.macroName = macroName;
    if (source !== undefined && this.lineno !== undefined && this.excerpt === '') this.excerpt = excerptAt(source, this.lineno);
    const where = `${this.filename ?? '<template>'}:${this.lineno ?? '?'}`;
    const inMacro = this.macroName ? ` (in macro '${this.macroName}')` : '';
    this.message = `${where}${inMacro}: ${this.rawMessage}`;
    return this;
  }
}

export class TemplateSyntaxError extends JinjaError {}
export class TemplateRuntimeError extends JinjaError {}
export class UndefinedError extends JinjaError {}
export class SecurityError extends TemplateRuntimeError {}
/** include/import of a template the loader does not have. */
export class TemplateNotFound extends TemplateRuntimeError {}

/** A runtime error that Python would raise with its own class name (TypeError, ValueError...). */
export function pyError(pyType: string, message: string): TemplateRuntimeError {
  const e = new TemplateRuntimeError(message);
  e.pyType = pyType;
  return e;
}

function excerptAt(source: string, lineno: number): string {
  const lines = source.split(/\r\n|\r|\n/);
  const line = lines[lineno - 1];
  if (line === undefined) return '';
  const trimmed = line.length > 160 ? line.slice(0, 157) + '...' : line;
  const indent = /^\s*/.exec(trimmed)![0].length;
  return `${String(lineno).padStart(4)} | ${trimmed}\n     | ${' '.repeat(indent)}^`;
}

/** dbt's return(): a host function throws this; the innermost macro call catches it. */
export class MacroReturn {
  constructor(readonly value: unknown) {}
}
