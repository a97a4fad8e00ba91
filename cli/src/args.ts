import { parseArgs } from 'node:util';

/**
 * The command line: a small command table and `node:util` parseArgs. This
 * module stays free of heavy imports — `dvt --version` and `dvt --help` load
 * nothing else.
 */

export type FlagName =
  | 'project-dir'
  | 'profiles-dir'
  | 'target'
  | 'profile'
  | 'vars'
  | 'select'
  | 'exclude'
  | 'selector'
  | 'resource-type'
  | 'exclude-resource-type'
  | 'threads'
  | 'full-refresh'
  | 'fail-fast'
  | 'log-format'
  | 'debug'
  | 'warn-error'
  | 'output'
  | 'inline'
  | 'limit'
  | 'all'
  | 'dry-run'
  | 'from'
  | 'skip-profile-setup'
  | 'static'
  | 'port'
  | 'host'
  | 'no-browser'
  | 'quiet'
  | 'args'
  | 'upgrade'
  | 'empty'
  | 'store-failures'
  | 'state'
  | 'defer'
  | 'help'
  | 'version';

interface FlagSpec {
  short?: string;
  /**
   * The environment variable dbt reads for this flag when the command line
   * does not give it (DBT_ name; DVT_ with the same suffix is read first).
   */
  env?: string;
  /** A boolean flag that also takes `--no-<name>`, to turn off what its environment variable turned on. */
  negatable?: boolean;
  /** `list` flags take one or more values, as dbt's `-s a b c` and repeated `-s a -s b`. */
  kind: 'string' | 'boolean' | 'list';
  /** Shown in help, e.g. `PATH`. */
  value?: string;
  description: string;
  /** Allowed values of a string flag. */
  choices?: readonly string[];
}

const FLAGS: Record<FlagName, FlagSpec> = {
  'project-dir': { kind: 'string', env: 'DBT_PROJECT_DIR', value: 'DIR', description: 'Directory holding dbt_project.yml (default: the current directory).' },
  'profiles-dir': { kind: 'string', value: 'DIR', description: 'Directory holding profiles.yml (default: DVT_PROFILES_DIR, DBT_PROFILES_DIR, the project, ~/.dvt, ~/.dbt).' },
  profile: { kind: 'string', env: 'DBT_PROFILE', value: 'NAME', description: "Profile of profiles.yml to use instead of dbt_project.yml's `profile:`." },
  target: { short: 't', kind: 'string', env: 'DBT_TARGET', value: 'NAME', description: 'Profile output to use instead of the profile\'s `target:`.' },
  vars: { kind: 'string', value: 'YAML', description: 'Variables as a YAML or JSON mapping, overriding the project\'s vars.' },
  select: { short: 's', kind: 'list', value: 'SELECTOR', description: 'Nodes to include (dbt selection syntax; several values are a union).' },
  exclude: { kind: 'list', value: 'SELECTOR', description: 'Nodes to leave out.' },
  selector: { kind: 'string', value: 'NAME', description: 'A named selector from selectors.yml.' },
  'resource-type': {
    kind: 'list',
    env: 'DBT_RESOURCE_TYPES',
    value: 'TYPE',
    choices: ['model', 'seed', 'test', 'unit_test', 'snapshot', 'analysis', 'source', 'exposure', 'all', 'default'],
    description: 'Only these resource types (model, seed, test, unit_test, snapshot, analysis, source, exposure, all, default).',
  },
  'exclude-resource-type': {
    kind: 'list',
    env: 'DBT_EXCLUDE_RESOURCE_TYPES',
    value: 'TYPE',
    choices: ['model', 'seed', 'test', 'unit_test', 'snapshot', 'analysis', 'source', 'exposure'],
    description: 'Leave out these resource types (e.g. unit_test).',
  },
  threads: { kind: 'string', value: 'N', description: 'Nodes built at the same time (default: the target\'s `threads`).' },
  'full-refresh': { short: 'f', kind: 'boolean', env: 'DBT_FULL_REFRESH', description: 'Rebuild incremental models and seeds from scratch.' },
  'fail-fast': { short: 'x', kind: 'boolean', env: 'DBT_FAIL_FAST', negatable: true, description: 'Stop at the first failure.' },
  'log-format': { kind: 'string', env: 'DBT_LOG_FORMAT', value: 'FORMAT', choices: ['text', 'json', 'default', 'debug'], description: "text (default) or json: one JSON object per event per line (dbt's default and debug read as text)." },
  debug: { short: 'd', kind: 'boolean', env: 'DBT_DEBUG', negatable: true, description: 'Show debug logging and stack traces of internal errors.' },
  'warn-error': { kind: 'boolean', env: 'DBT_WARN_ERROR', description: 'Treat warnings as errors: a test that would warn fails, and any warning makes the command exit 1.' },
  output: { short: 'o', kind: 'string', value: 'FORMAT', choices: ['selector', 'name', 'path', 'json'], description: 'selector (default), name, path or json.' },
  inline: { kind: 'string', value: 'SQL', description: 'SQL to run instead of a selected node.' },
  limit: { kind: 'string', value: 'N', description: 'Rows to fetch and print (default 5; -1 for all).' },
  'skip-profile-setup': { kind: 'boolean', description: 'Do not write a profiles.yml.' },
  static: { kind: 'boolean', description: 'Also write target/static_index.html: the site with its data embedded, openable from disk.' },
  port: { kind: 'string', value: 'N', description: 'Port to serve on (default 8080; 0 picks a free one).' },
  host: { kind: 'string', value: 'HOST', description: 'Address to serve on (default 127.0.0.1).' },
  'no-browser': { kind: 'boolean', description: 'Do not open a web browser.' },
  quiet: { short: 'q', kind: 'boolean', env: 'DBT_QUIET', negatable: true, description: "Print only errors and the command's results (ls, show, compiled SQL)." },
  all: { kind: 'boolean', description: 'Every output of the profile, not only those the project uses.' },
  'dry-run': { kind: 'boolean', description: 'Print what would be done and change nothing (sync: the install command; retract: the relations).' },
  from: { kind: 'string', value: 'DIR', description: 'Install packages from the tarballs (npm/pnpm pack) in DIR; others from the registry.' },
  args: { kind: 'string', value: 'YAML', description: "Keyword arguments for the macro, as a YAML or JSON mapping ('{table: orders, days: 7}')." },
  upgrade: { kind: 'boolean', description: 'Resolve package versions again instead of following package-lock.yml.' },
  state: { kind: 'string', env: 'DBT_STATE', value: 'DIR', description: 'A previous manifest.json\'s directory, for state:new / state:modified selectors and --defer.' },
  defer: { kind: 'boolean', env: 'DBT_DEFER', negatable: true, description: 'ref() to an unselected node the target does not have reads the --state manifest\'s relation instead.' },
  empty: { kind: 'boolean', env: 'DBT_EMPTY', negatable: true, description: 'Read every ref() and source() as zero rows: checks the SQL and the result columns without moving data.' },
  'store-failures': { kind: 'boolean', env: 'DBT_STORE_FAILURES', description: "Keep every test's failing rows in <schema>_dbt_test__audit (tests configured with store_failures false or store_failures_as ephemeral excepted)." },
  help: { short: 'h', kind: 'boolean', description: 'Show help.' },
  version: { kind: 'boolean', description: 'Print the version and exit.' },
};

const PROJECT_FLAGS: FlagName[] = ['project-dir', 'profiles-dir', 'profile', 'target', 'vars'];
const SELECT_FLAGS: FlagName[] = ['select', 'exclude', 'selector'];
const RUN_FLAGS: FlagName[] = [...PROJECT_FLAGS, ...SELECT_FLAGS, 'threads', 'fail-fast', 'state'];
/** Commands that run nodes through `runNodes` can defer to --state. */
const DEFER_FLAGS: FlagName[] = ['defer'];

export type CommandName =
  | 'init'
  | 'debug'
  | 'parse'
  | 'compile'
  | 'list'
  | 'seed'
  | 'run'
  | 'test'
  | 'build'
  | 'show'
  | 'clean'
  | 'sync'
  | 'docs'
  | 'run-operation'
  | 'source'
  | 'retry'
  | 'snapshot'
  | 'deps'
  | 'retract'
  | 'clone';

interface CommandSpec {
  aliases?: string[];
  summary: string;
  flags: FlagName[];
  /** Name of the positional argument, if the command takes one. */
  positional?: string;
}

export const COMMANDS: Record<CommandName, CommandSpec> = {
  init: { summary: 'Create a new project with a DuckDB profile.', flags: ['skip-profile-setup'], positional: 'NAME' },
  debug: { summary: 'Show versions, paths, and test every connection the project uses.', flags: PROJECT_FLAGS },
  parse: { summary: 'Read the project and write target/manifest.json.', flags: PROJECT_FLAGS },
  compile: { summary: 'Render SQL of the selected nodes into target/compiled and print their execution plan.', flags: [...RUN_FLAGS, 'inline', 'output'] },
  list: { aliases: ['ls'], summary: 'List the selected resources.', flags: [...PROJECT_FLAGS, ...SELECT_FLAGS, 'resource-type', 'exclude-resource-type', 'output', 'state'] },
  seed: { summary: 'Load CSV seeds into the target.', flags: [...RUN_FLAGS, 'full-refresh', ...DEFER_FLAGS] },
  run: { summary: 'Build the selected models.', flags: [...RUN_FLAGS, 'full-refresh', 'empty', ...DEFER_FLAGS] },
  test: { summary: 'Run the selected data tests and unit tests.', flags: [...RUN_FLAGS, 'resource-type', 'exclude-resource-type', 'store-failures', ...DEFER_FLAGS] },
  build: { summary: 'Seed, run and test the selected nodes in dependency order (a model after its unit tests).', flags: [...RUN_FLAGS, 'full-refresh', 'resource-type', 'exclude-resource-type', 'empty', 'store-failures', ...DEFER_FLAGS] },
  show: { summary: 'Preview the selected nodes (or --inline SQL): the first rows, computed in DuckDB on copies of their inputs; nothing is written to any target.', flags: [...PROJECT_FLAGS, ...SELECT_FLAGS, 'threads', 'inline', 'limit', 'output'] },
  clean: { summary: 'Delete the clean-targets (target/, dbt_packages/) and .dvt/.', flags: ['project-dir'] },
  docs: {
    summary: "'docs generate' writes the catalog and the docs site into target/; 'docs serve' serves it.",
    flags: [...PROJECT_FLAGS, 'static', 'port', 'host', 'no-browser'],
    positional: 'generate|serve',
  },
  // deps needs no profile; --profiles-dir/--target/--vars are accepted because CI scripts pass them to every command, as dbt accepts them.
  deps: { summary: 'Install the packages of packages.yml / dependencies.yml into dbt_packages/ and pin them in package-lock.yml.', flags: ['project-dir', 'upgrade', 'profiles-dir', 'profile', 'target', 'vars'] },
  snapshot: { summary: 'Take the selected snapshots (type 2 slowly changing dimensions).', flags: RUN_FLAGS },
  clone: {
    summary: "Give the target, for each selected model, seed and snapshot, a view of its relation in the --state manifest (dbt's clone); relations the target has are kept unless --full-refresh.",
    flags: [...RUN_FLAGS, 'full-refresh'],
  },
  'run-operation': { summary: 'Call a macro (package.macro for a package\'s), with --args as its keyword arguments.', flags: [...PROJECT_FLAGS, 'args'], positional: 'MACRO' },
  retry: { summary: 'Run again, with the same command and flags, the nodes that errored, failed or were skipped in the previous run (target/run_results.json).', flags: ['project-dir', 'profiles-dir', 'profile', 'target', 'vars', 'threads', 'fail-fast'] },
  source: { summary: "'source freshness': check the selected sources' loaded_at_field against their freshness thresholds; writes target/sources.json.", flags: [...PROJECT_FLAGS, ...SELECT_FLAGS, 'threads'], positional: 'freshness' },
  retract: { summary: 'Drop the selected models, seeds and snapshots from their targets (children first) and their cache tables.', flags: [...PROJECT_FLAGS, ...SELECT_FLAGS, 'dry-run'] },
  sync: { summary: 'Install the adapter packages the profile\'s connections need, with the project\'s package manager.', flags: [...PROJECT_FLAGS, 'all', 'dry-run', 'from'] },
};

/** Flags every command accepts. */
const GLOBAL_FLAGS: FlagName[] = ['log-format', 'quiet', 'debug', 'warn-error', 'help'];

export interface Invocation {
  command?: CommandName;
  /** Parsed flag values; list flags are arrays; booleans are `true` when given, `false` from `--no-<flag>` or the environment. */
  flags: Partial<Record<FlagName, string | string[] | boolean>>;
  positional?: string;
}

/** Bad command line: printed as is, exit code 2. Kept here so parsing needs no other module. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export function commandName(word: string): CommandName | undefined {
  for (const [name, spec] of Object.entries(COMMANDS) as [CommandName, CommandSpec][]) {
    if (name === word || spec.aliases?.includes(word)) return name;
  }
  return undefined;
}

/**
 * The command line, with the environment filling in flags it does not give
 * (see FlagSpec.env): the command line wins, then DVT_*, then dbt's DBT_*.
 */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): Invocation {
  const commandIndex = findCommandIndex(argv);
  const word = commandIndex === -1 ? undefined : argv[commandIndex];
  const command = word === undefined ? undefined : commandName(word);
  if (word !== undefined && command === undefined) {
    throw new UsageError(`Unknown command '${word}'. Commands: ${Object.keys(COMMANDS).join(', ')}. See 'dvt --help'.`);
  }
  const rest = commandIndex === -1 ? argv : [...argv.slice(0, commandIndex), ...argv.slice(commandIndex + 1)];
  const allowed: FlagName[] = command ? [...COMMANDS[command].flags, ...GLOBAL_FLAGS] : [...GLOBAL_FLAGS, 'version'];
  const invocation = parseFlags(withNegativeValues(rest), allowed, command);
  flagsFromEnvironment(invocation.flags, allowed, env);
  return { ...invocation, command };
}

const TRUE_WORDS = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

/** The variable that sets `spec`'s flag, if one is set to something (an empty value is unset, as dbt reads it). */
function environmentVariable(spec: FlagSpec, env: NodeJS.ProcessEnv): string | undefined {
  if (!spec.env) return undefined;
  const ours = `DVT_${spec.env.slice('DBT_'.length)}`;
  return [ours, spec.env].find((name) => (env[name] ?? '') !== '');
}

function flagsFromEnvironment(flags: Invocation['flags'], allowed: readonly FlagName[], env: NodeJS.ProcessEnv): void {
  for (const name of allowed) {
    const spec = FLAGS[name];
    const variable = environmentVariable(spec, env);
    if (variable === undefined || flags[name] !== undefined) continue;
    const raw = env[variable]!.trim();
    const source = `environment variable ${variable}`;
    if (spec.kind === 'boolean') {
      const word = raw.toLowerCase();
      if (!TRUE_WORDS.has(word) && !FALSE_WORDS.has(word)) {
        throw new UsageError(`Invalid value '${raw}' for ${source}: expected true or false (also 1/0, yes/no, on/off).`);
      }
      flags[name] = TRUE_WORDS.has(word);
    } else if (spec.kind === 'list') {
      flags[name] = checkChoices(name, splitWords(raw), source);
    } else {
      flags[name] = checkChoices(name, [raw], source)[0];
    }
  }
}

/** `--limit -1`: a negative number after a flag that takes a value is that value, not a flag (parseArgs would refuse it). */
function withNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && takesValue(arg) && next !== undefined && /^-\d+$/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** The first word that is neither a flag nor a flag's value (`dvt --log-format json run`). */
function findCommandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) return i;
    if (arg === '--') return -1;
    if (!arg.includes('=') && takesValue(arg)) i++;
  }
  return -1;
}

function takesValue(arg: string): boolean {
  const spec = arg.startsWith('--')
    ? FLAGS[arg.slice(2) as FlagName]
    : Object.values(FLAGS).find((f) => f.short !== undefined && `-${f.short}` === arg);
  return spec !== undefined && spec.kind !== 'boolean';
}

function parseFlags(argv: string[], allowed: FlagName[], command: CommandName | undefined): Omit<Invocation, 'command'> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  const negations = new Map<string, FlagName>();
  for (const name of allowed) {
    const spec = FLAGS[name];
    options[name] = { type: spec.kind === 'boolean' ? 'boolean' : 'string', multiple: spec.kind === 'list', ...(spec.short ? { short: spec.short } : {}) };
    if (spec.negatable) {
      negations.set(`no-${name}`, name);
      options[`no-${name}`] = { type: 'boolean' };
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    throw new UsageError(`${explainParseError(e, argv)} See 'dvt ${command ?? ''}${command ? ' ' : ''}--help'.`);
  }
  const flags: Invocation['flags'] = {};
  const positionals: string[] = [];
  let lastOption: FlagName | undefined;
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option' && negations.has(token.name)) {
      flags[negations.get(token.name)!] = false;
      lastOption = undefined;
    } else if (token.kind === 'option') {
      const name = token.name as FlagName;
      const spec = FLAGS[name];
      lastOption = spec.kind === 'list' ? name : undefined;
      if (spec.kind === 'boolean') {
        flags[name] = true;
      } else if (spec.kind === 'list') {
        flags[name] = [...((flags[name] as string[] | undefined) ?? []), ...checkChoices(name, splitWords(token.value ?? ''))];
      } else {
        flags[name] = checkChoices(name, [token.value ?? ''])[0];
        if (name === 'threads' || name === 'limit') integerFlag({ flags }, name);
      }
    } else if (token.kind === 'positional') {
      // `-s a b c`: words after a list flag belong to it, as in dbt.
      if (lastOption) flags[lastOption] = [...(flags[lastOption] as string[]), ...checkChoices(lastOption, splitWords(token.value))];
      else positionals.push(token.value);
    } else {
      lastOption = undefined;
    }
  }
  const takes = command ? COMMANDS[command].positional : undefined;
  if (positionals.length > (takes ? 1 : 0)) {
    throw new UsageError(`Unexpected argument '${positionals[takes ? 1 : 0]}'${command ? ` for 'dvt ${command}'` : ''}.`);
  }
  return { flags, positional: positionals[0] };
}

/** `source`: where the values came from when not the command line, e.g. `environment variable DBT_LOG_FORMAT`. */
function checkChoices(name: FlagName, values: string[], source = `--${name}`): string[] {
  const { choices } = FLAGS[name];
  if (!choices) return values;
  const bad = values.find((v) => !choices.includes(v));
  if (bad !== undefined) throw new UsageError(`Invalid value '${bad}' for ${source}: expected one of ${choices.join(', ')}.`);
  return values;
}

/** `-s "a b"` is two selectors, as dbt reads it. */
function splitWords(value: string): string[] {
  return value.split(/\s+/).filter((w) => w.length > 0);
}

function explainParseError(e: unknown, argv: string[]): string {
  const code = (e as { code?: string }).code;
  const message = (e as Error).message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? argv.find((a) => a.startsWith('-'));
    return `Unknown flag '${flag}'.`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--[a-z-]+/.exec(message)?.[0];
    return flag ? `Flag ${flag} needs a value.` : message;
  }
  return message;
}

export function integerFlag(invocation: Pick<Invocation, 'flags'>, name: 'threads' | 'limit'): number | undefined {
  const raw = invocation.flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || (name === 'threads' && n < 1) || (name === 'limit' && n < -1)) {
    throw new UsageError(`--${name} expects ${name === 'threads' ? 'a positive integer' : 'an integer (-1 for no limit)'}, got '${String(raw)}'.`);
  }
  return n;
}

export function stringFlag(invocation: Invocation, name: FlagName): string | undefined {
  const v = invocation.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function listFlag(invocation: Invocation, name: FlagName): string[] | undefined {
  const v = invocation.flags[name];
  return Array.isArray(v) ? v : undefined;
}

export function booleanFlag(invocation: Invocation, name: FlagName): boolean {
  return invocation.flags[name] === true;
}

export function helpText(command?: CommandName): string {
  if (!command) {
    const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
    return [
      'Usage: dvt <command> [flags]',
      '',
      'dvt runs dbt projects, across database engines.',
      '',
      'Commands:',
      ...(Object.entries(COMMANDS) as [CommandName, CommandSpec][]).map(
        ([name, spec]) => `  ${(name + (spec.aliases ? `, ${spec.aliases.join(', ')}` : '')).padEnd(width + 4)}${spec.summary}`,
      ),
      '',
      'Global flags:',
      ...flagLines([...GLOBAL_FLAGS, 'version']),
      '',
      "Run 'dvt <command> --help' for a command's flags.",
    ].join('\n');
  }
  const spec = COMMANDS[command];
  return [
    `Usage: dvt ${command}${spec.positional ? ` ${spec.positional}` : ''} [flags]`,
    '',
    spec.summary,
    '',
    'Flags:',
    ...flagLines([...spec.flags, ...GLOBAL_FLAGS]),
  ].join('\n');
}

function flagLines(names: FlagName[]): string[] {
  const left = names.map((n) => {
    const spec = FLAGS[n];
    return `${spec.short ? `-${spec.short}, ` : '    '}--${n}${spec.value ? ` ${spec.value}` : ''}${spec.negatable ? ` / --no-${n}` : ''}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return names.map((n, i) => {
    const { description, env } = FLAGS[n];
    return `  ${left[i].padEnd(width)}${description}${env ? ` [env: ${env}]` : ''}`;
  });
}
