// The template syntax tree. Every node carries the source line it starts on.

export type Expr =
  | { k: 'const'; line: number; value: unknown }
  | { k: 'name'; line: number; name: string }
  | { k: 'tuple'; line: number; items: Expr[] }
  | { k: 'list'; line: number; items: Expr[] }
  | { k: 'dict'; line: number; keys: Expr[]; values: Expr[] }
  | { k: 'getattr'; line: number; obj: Expr; attr: string }
  | { k: 'getitem'; line: number; obj: Expr; key: Expr }
  | { k: 'slice'; line: number; start: Expr | null; stop: Expr | null; step: Expr | null }
  | ({ k: 'call'; line: number; fn: Expr } & CallArgs)
  | ({ k: 'filter'; line: number; node: Expr | null; name: string } & CallArgs)
  | ({ k: 'test'; line: number; node: Expr; name: string; negated: boolean } & CallArgs)
  | { k: 'cond'; line: number; test: Expr; then: Expr; else: Expr | null }
  | { k: 'bin'; line: number; op: string; left: Expr; right: Expr }
  | { k: 'and'; line: number; left: Expr; right: Expr }
  | { k: 'or'; line: number; left: Expr; right: Expr }
  | { k: 'not'; line: number; node: Expr }
  | { k: 'neg'; line: number; node: Expr }
  | { k: 'pos'; line: number; node: Expr }
  | { k: 'compare'; line: number; first: Expr; ops: string[]; operands: Expr[] }
  | { k: 'concat'; line: number; items: Expr[] };

export interface CallArgs {
  args: Expr[];
  kwargs: [string, Expr][];
  dynArgs: Expr | null;
  dynKwargs: Expr | null;
}

/** An assignment target: a name, a tuple of targets, or `ns.attr`. */
export type Target =
  | { k: 'name'; line: number; name: string }
  | { k: 'tuple'; line: number; items: Target[] }
  | { k: 'nsattr'; line: number; name: string; attr: string };

export interface MacroDef {
  name: string;
  line: number;
  args: string[];
  defaults: Expr[];
  /** Source text of each default, as written. */
  defaultSources: string[];
  body: Stmt[];
  catchesVarargs: boolean;
  catchesKwargs: boolean;
  callsCaller: boolean;
  /** The body of a `{% call %}` block: dbt's return() passes through it to the enclosing macro. */
  isCallBlock: boolean;
}

export type Stmt =
  | { k: 'data'; line: number; text: string }
  | { k: 'print'; line: number; expr: Expr }
  | { k: 'if'; line: number; tests: Expr[]; bodies: Stmt[][]; else: Stmt[] | null }
  | {
      k: 'for';
      line: number;
      target: Target;
      iter: Expr;
      body: Stmt[];
      else: Stmt[] | null;
      test: Expr | null;
      recursive: boolean;
    }
  | { k: 'set'; line: number; target: Target; expr: Expr }
  | { k: 'setblock'; line: number; target: Target; body: Stmt[]; filter: Expr | null }
  | { k: 'macro'; line: number; macro: MacroDef }
  | { k: 'callblock'; line: number; call: Expr; macro: MacroDef }
  | { k: 'filterblock'; line: number; filter: Expr; body: Stmt[] }
  | { k: 'with'; line: number; targets: Target[]; values: Expr[]; body: Stmt[] }
  | { k: 'include'; line: number; template: Expr; ignoreMissing: boolean; withContext: boolean }
  | { k: 'import'; line: number; template: Expr; target: string; withContext: boolean }
  | { k: 'fromimport'; line: number; template: Expr; names: [string, string][]; withContext: boolean }
  | { k: 'do'; line: number; expr: Expr }
  | { k: 'break'; line: number }
  | { k: 'continue'; line: number }
  | { k: 'block'; line: number; name: string; body: Stmt[]; scoped: boolean; required: boolean }
  | { k: 'extends'; line: number; template: Expr }
  | { k: 'autoescape'; line: number; body: Stmt[] }
  | { k: 'dbtblock'; line: number; kind: 'docs' | 'snapshot'; name: string; body: Stmt[]; raw: string };
