import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AdapterContext, AdapterDefinition, ColumnMeta, Connection, QueryResult, RelationRef } from '../adapter/contract.js';
import type { Compiler } from '../compile/compiler.js';
import { injectCtes, type InjectedCte } from '../compile/ctes.js';
import type { NodeRuntime } from '../compile/context.js';
import { Relation } from '../compile/relation.js';
import { DvtError, isDvtError } from '../errors.js';
import type { ExecutableNode, Project, SourceDefinition } from '../project/types.js';
import { csvHeader, csvRows, parseInputCall, type UnitTestDefinition, type UnitTestGiven } from '../project/unit-tests.js';
import type { MaterializationResult } from '../run/context.js';
import type { ConnectionPool } from '../run/pool.js';
import { declaredColumns, describedColumns } from './columns.js';
import { compareSql, renderDiff, type DiffRow } from './compare.js';
import { inferColumns, rowsSql, type FixtureColumn } from './fixture-sql.js';

/** Unit tests run in DuckDB, in memory, whatever engine the tested model is built on. */
export const UNIT_TEST_ENGINE = 'duckdb';

export interface UnitTestRunOptions {
  project: Project;
  compiler: Compiler;
  /** The DuckDB adapter to connect with (the runner's, possibly served by its bridge). */
  duckdb: AdapterDefinition;
  /** The run's connections: only asked for an input's columns when its YAML declares no types. */
  pool: ConnectionPool;
  ctx: AdapterContext;
  /** Absolute path of `target/`: the compiled SQL goes to `compiled/<package>/<schema.yml>/<test>.sql`. */
  targetPath: string;
  signal: AbortSignal;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
}

/** One `given`, tied to what it stands for in the model. */
interface ResolvedInput {
  given: UnitTestGiven;
  /** The model, seed, snapshot or source it replaces; for `this`, the tested model. */
  target: ExecutableNode | SourceDefinition;
  isThis: boolean;
  /** The CTE's name without `__dbt__cte__`. */
  cteName: string;
}

/** Where a unit test may run (`config: {engine: ...}`): DuckDB falling back to the target, DuckDB only, or the target. */
export type UnitTestEngineChoice = 'auto' | 'duckdb' | 'target';
const ENGINE_CHOICES: readonly UnitTestEngineChoice[] = ['auto', 'duckdb', 'target'];

/**
 * Runs one unit test: the model's SQL compiled with DuckDB's macros, every
 * `ref`/`source` it reads (and `this`) replaced through the compile context
 * by a CTE of the given rows, run in an in-memory DuckDB and compared with
 * `expect` on the columns it lists. A difference fails the test with dbt's
 * diff. When DuckDB rejects the SQL itself (a parser, binder or catalog
 * error: syntax, a function or type it lacks), the test reruns on the
 * model's own connection in its dialect (`engine: auto`, the default);
 * `engine: duckdb` makes that an error saying what DuckDB lacks, and
 * `engine: target` runs there straight away (nothing is written there).
 */
export async function executeUnitTest(test: UnitTestDefinition, node: ExecutableNode, opts: UnitTestRunOptions): Promise<MaterializationResult> {
  const model = opts.project.nodes.get(test.depends_on.nodes[0] ?? '');
  if (!model) throw new DvtError('config', `unit test '${test.name}' tests model '${test.model}', which is not in the project`, { location: locationOf(test) });
  const incremental = checkIncremental(test, model);
  const inputs = test.given.map((given) => resolveInput(given, test, model, opts.compiler));
  const choice = engineChoice(test);
  const output = opts.compiler.outputOf(model);
  const attempt = (engine: Engine) => runIn(engine, { test, node, model, inputs, incremental }, opts);
  if (choice === 'target') return attempt(await openTarget(model, opts));
  try {
    return await attempt(await openDuckdb(opts));
  } catch (error) {
    if (choice === 'duckdb' || output.type === UNIT_TEST_ENGINE || !(error instanceof DuckdbRejected)) throw error;
    opts.log('info', `unit test ${test.name}: DuckDB cannot run model '${model.name}' (${missingInDuckdb(error.duckdbMessage)}); running it on its target '${output.name}' (${output.type}) instead`);
    try {
      return await attempt(await openTarget(model, opts));
    } catch (onTarget) {
      // Both attempts failed: the user needs DuckDB's reason and the target's.
      const why = isDvtError(onTarget) ? onTarget.format() : (onTarget as Error).message;
      throw new DvtError('database', `${error.message}\nrunning it on target '${output.name}' (${output.type}) instead failed too:\n${why}`, { cause: onTarget });
    }
  }
}

interface UnitTestParts {
  test: UnitTestDefinition;
  node: ExecutableNode;
  model: ExecutableNode;
  inputs: readonly ResolvedInput[];
  incremental: boolean;
}

/** The unit test on one engine: fixtures typed and written for it, the model compiled in its dialect, the comparison run there. */
async function runIn(engine: Engine, parts: UnitTestParts, opts: UnitTestRunOptions): Promise<MaterializationResult> {
  const { project, compiler } = opts;
  const { test, node, model, inputs, incremental } = parts;
  const { adapter } = engine;
  const dialect = adapter.dialect;
  /** Inputs typed from their given rows alone: a column the model reads but the rows leave out does not exist. */
  const guessed: string[] = [];
  const run = (sql: string) => runOn(engine, sql, opts.signal, { modelEngine: compiler.outputOf(model).type, model, guessed });
  try {
    const replaced = new Map(inputs.filter((i) => !i.isThis).map((i) => [i.target.unique_id, Relation.ephemeral(dialect, adapter.type, i.cteName)]));
    const thisInput = inputs.find((i) => i.isThis);
    const relationFor = (uniqueId: string): Relation | undefined => {
      const relation = replaced.get(uniqueId);
      if (relation) return relation;
      const read = project.nodes.get(uniqueId);
      // An ephemeral model not given is inlined as usual; what it reads must be given.
      if (read?.resource_type === 'model' && read.config.materialized === 'ephemeral') return undefined;
      const what = read ? `ref('${read.name}')` : describeSource(project.sources.get(uniqueId)) ?? uniqueId;
      throw new DvtError('compile', `unit test '${test.name}' gives no rows for ${what}, which model '${model.name}' reads: add it under 'given'`, {
        location: locationOf(test),
      });
    };
    const overrides = test.overrides;
    const runtime: NodeRuntime = {
      relationExists: incremental,
      relationType: 'table',
      fullRefresh: false,
      federated: { adapterType: adapter.type, relationFor, thisRelation: thisInput ? Relation.ephemeral(dialect, adapter.type, thisInput.cteName) : undefined },
      unitTest: { macros: overrides?.macros ?? {}, vars: overrides?.vars ?? {}, envVars: overrides?.env_vars ?? {} },
    };
    const ctes: InjectedCte[] = [];
    for (const input of inputs) {
      const rows = input.given.rows ?? [];
      let sql: string;
      // dbt compiles a SQL fixture as the input's model code: its Jinja renders in the engine's dialect.
      if (typeof rows === 'string') sql = compiler.renderHook(rows, node, runtime);
      else {
        const { columns, fromValues } = await fixtureColumns(input, rows, adapter, opts);
        if (fromValues) guessed.push(input.given.input);
        sql = rowsSql(rows, columns, dialect, `'${input.cteName}'`);
      }
      ctes.push({ id: Relation.addEphemeralPrefix(input.cteName), sql: `-- Fixture for ${input.cteName}\n${sql}` });
    }
    const compiledCode = injectCtes(compiler.compileNode(node, runtime).compiled_code, ctes);
    writeCompiled(opts.targetPath, node, compiledCode);

    const actual = (await run(`select * from (\n${compiledCode}\n) as dbt_internal_unit_test_model limit 0`)).columns;
    const { names, expectedSql } = expectation(test, actual, dialect);
    const result = await run(compareSql(compiledCode, expectedSql, names, dialect));
    const diff: DiffRow[] = result.rows.map((row) => ({ side: row[0] === 'actual' ? 'actual' : 'expected', values: row.slice(1) }));
    if (diff.length === 0) return { status: 'pass', message: 'PASS', failures: 0, compiledCode, relation: null, code: 'SELECT' };
    return { status: 'fail', message: renderDiff(names, diff), failures: diff.length, compiledCode, relation: null, code: 'SELECT' };
  } finally {
    await engine.release();
  }
}

/** Where a unit test runs: an in-memory DuckDB, or the model's own connection. */
interface Engine {
  adapter: AdapterDefinition;
  connection: Connection;
  onTarget: boolean;
  release(): Promise<void>;
}

function engineChoice(test: UnitTestDefinition): UnitTestEngineChoice {
  const choice = test.config.engine ?? 'auto';
  if (!ENGINE_CHOICES.includes(choice as UnitTestEngineChoice)) {
    throw new DvtError('config', `unit test '${test.name}': engine '${String(choice)}' is not one dvt runs unit tests on (auto, the default, duckdb or target)`, {
      location: locationOf(test),
    });
  }
  return choice as UnitTestEngineChoice;
}

async function openTarget(model: ExecutableNode, opts: UnitTestRunOptions): Promise<Engine> {
  const output = opts.compiler.outputOf(model);
  const lease = await opts.pool.acquire(output.name);
  return { adapter: opts.compiler.adapter(output.type), connection: lease.connection, onTarget: true, release: async () => lease.release() };
}

async function openDuckdb(opts: UnitTestRunOptions): Promise<Engine> {
  const connection = await opts.duckdb.connect({ path: ':memory:' }, opts.ctx);
  return { adapter: opts.compiler.adapter(UNIT_TEST_ENGINE), connection, onTarget: false, release: () => connection.close() };
}

function locationOf(test: UnitTestDefinition): { file: string; line?: number } {
  return { file: test.original_file_path, line: test.line };
}

function describeSource(source: SourceDefinition | undefined): string | undefined {
  return source ? `source('${source.source_name}', '${source.name}')` : undefined;
}

/**
 * dbt's rules for incremental models: the test must say which branch it
 * tests (`overrides: macros: is_incremental: true|false`), and the
 * incremental branch reads `this`, which must then be given.
 */
function checkIncremental(test: UnitTestDefinition, model: ExecutableNode): boolean {
  const override = test.overrides?.macros.is_incremental;
  if (model.config.materialized === 'incremental' && typeof override !== 'boolean') {
    throw new DvtError('config', `Boolean override for 'is_incremental' must be provided for unit test '${test.name}' in model '${model.name}' (overrides: macros: is_incremental: true or false)`, {
      location: locationOf(test),
    });
  }
  if (override === true && !test.given.some((g) => g.input === 'this')) {
    throw new DvtError('config', `Unit test '${test.name}' for incremental model '${model.name}' must have a 'this' input (the rows already in the model's table)`, {
      location: locationOf(test),
    });
  }
  return override === true;
}

function resolveInput(given: UnitTestGiven, test: UnitTestDefinition, model: ExecutableNode, compiler: Compiler): ResolvedInput {
  const call = parseInputCall(given.input);
  const notFound = () =>
    new DvtError('config', `Unit test '${test.name}' had an input (${given.input}) which was not found in the project`, { location: { file: test.original_file_path, line: given.line } });
  if (!call) throw notFound();
  if (call.kind === 'this') return { given, target: model, isThis: true, cteName: model.name };
  if (call.kind === 'source') {
    const source = compiler.findSource(call.source, call.table);
    if (!source) throw notFound();
    return { given, target: source, isThis: false, cteName: `${source.source_name}__${source.name}` };
  }
  const node = compiler.findRef(call.ref, model);
  if (!node) throw notFound();
  return { given, target: node, isThis: false, cteName: node.version != null ? `${node.name}_v${node.version}` : node.name };
}

/**
 * The columns and types of a dict/csv input, spelled for the engine the test
 * runs on. Our choice, since that is rarely where the input lives: the types
 * the input's YAML declares (`data_type`), translated from its engine; for a
 * seed, its CSV file typed as the seed loader would, under its
 * `column_types`; else its real relation's, if its connection has it; else
 * what the given values look like (then only the columns the rows name exist).
 */
async function fixtureColumns(
  input: ResolvedInput,
  rows: readonly Record<string, unknown>[],
  runsOn: AdapterDefinition,
  opts: UnitTestRunOptions,
): Promise<{ columns: FixtureColumn[]; fromValues: boolean }> {
  const found = (columns: FixtureColumn[]) => ({ columns, fromValues: false });
  const { compiler, project } = opts;
  const output = outputOf(input.target, project, compiler);
  const engine = compiler.adapter(output.type);
  const same = engine.type === runsOn.type;
  const columns = { ...input.target.columns };
  const seedTypes = input.target.resource_type === 'seed' ? input.target.config.column_types : {};
  for (const [name, type] of Object.entries(seedTypes ?? {})) columns[name] = { name, description: '', meta: {}, data_type: type, constraints: [], tags: [] };
  const declared = declaredColumns(columns, engine.dialect, runsOn.dialect, same);
  if (input.target.resource_type === 'seed') {
    // The CSV's columns in its order, each typed as declared or as the loader would.
    const csv = readFileSync(join(input.target.root_path, input.target.original_file_path), 'utf8');
    const known = new Map(declared.map((c) => [c.name.toLowerCase(), c]));
    return found(inferColumns([...csvRows(csv), ...rows], runsOn.dialect, csvHeader(csv)).map((c) => known.get(c.name.toLowerCase()) ?? c));
  }
  if (declared.length > 0) {
    const known = new Set(declared.map((c) => c.name.toLowerCase()));
    return found([...declared, ...inferColumns(rows, runsOn.dialect).filter((c) => !known.has(c.name.toLowerCase()))]);
  }
  const described = await describeRelation(input, output.name, opts);
  if (described && described.length > 0) return found(describedColumns(described, runsOn.dialect, same));
  return { columns: inferColumns(rows, runsOn.dialect), fromValues: true };
}

function outputOf(target: ExecutableNode | SourceDefinition, project: Project, compiler: Compiler) {
  if (target.resource_type !== 'source') return compiler.outputOf(target);
  const name = target.connection ?? project.profile.target;
  return project.profile.outputs[name] ?? compiler.outputOf(undefined);
}

/** The real input's columns on its own connection; undefined when it is not there or cannot be reached. */
async function describeRelation(input: ResolvedInput, outputName: string, opts: UnitTestRunOptions): Promise<ColumnMeta[] | undefined> {
  const { target } = input;
  if (target.resource_type === 'model' && target.config.materialized === 'ephemeral') return undefined;
  const ref: RelationRef =
    target.resource_type === 'source'
      ? { database: target.database || undefined, schema: target.schema, identifier: target.identifier }
      : opts.compiler.relationOf(target).toRef();
  try {
    const lease = await opts.pool.acquire(outputName);
    try {
      return await lease.connection.catalog?.describe(ref);
    } finally {
      lease.release();
    }
  } catch (error) {
    opts.log('debug', `unit test input ${input.given.input}: could not read the columns of ${ref.schema}.${ref.identifier} on '${outputName}' (${(error as Error).message}); typing the given values instead`);
    return undefined;
  }
}

/**
 * What the model's result is compared with: the columns `expect` lists (all
 * of the model's for `format: sql` or no rows), and the expected rows cast
 * to the types the model's result has, as dbt does.
 */
function expectation(test: UnitTestDefinition, actual: readonly ColumnMeta[], dialect: AdapterDefinition['dialect']): { names: string[]; expectedSql: string } {
  const rows = test.expect.rows ?? [];
  const byName = new Map(actual.map((c) => [c.name.toLowerCase(), c]));
  if (typeof rows === 'string') return { names: actual.map((c) => c.name), expectedSql: rows };
  const listed: ColumnMeta[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      const column = byName.get(key.toLowerCase());
      if (!column) {
        throw new DvtError('compile', `Invalid column name: '${key}' in unit test fixture for expected output. Accepted columns for expected output are: ${actual.map((c) => c.name).join(', ')}`, {
          location: { file: test.original_file_path, line: test.expect.line },
        });
      }
      if (!listed.includes(column)) listed.push(column);
    }
  }
  const columns = rows.length === 0 ? [...actual] : listed;
  return {
    names: columns.map((c) => c.name),
    expectedSql: rowsSql(rows, columns.map((c) => ({ name: c.name, type: c.nativeType })), dialect, 'expected output'),
  };
}

const MISSING_COLUMN = /Binder Error|column .* not found|does not have a column|column .* does not exist/i;

async function runOn(
  engine: Engine,
  sql: string,
  signal: AbortSignal,
  about: { modelEngine: string; model: ExecutableNode; guessed: readonly string[] },
): Promise<QueryResult> {
  try {
    return await engine.connection.query(sql, [], { signal });
  } catch (error) {
    if (isDvtError(error) && error.kind !== 'database') throw error;
    const message = (error as Error).message;
    const hint =
      about.guessed.length > 0 && MISSING_COLUMN.test(message)
        ? `\n${about.guessed.join(', ')}: typed from the given rows alone (no data_type in YAML, not built yet), so only the columns the rows name exist; ` +
          'declare the columns in YAML or build the input first (e.g. dvt run --empty)'
        : '';
    if (engine.onTarget || about.modelEngine === UNIT_TEST_ENGINE) {
      if (!hint) throw error;
      throw new DvtError('database', `${message}${hint}`, { cause: error });
    }
    const text = `unit test ran in DuckDB (model '${about.model.name}' is built on ${about.modelEngine}); ${missingInDuckdb(message)}:\n${message}${hint}`;
    // Given rows typed from their values explain a missing column better than the target would.
    if (!hint && DUCKDB_CANNOT_COMPILE.test(message)) throw new DuckdbRejected(text, message, error);
    throw new DvtError('database', text, { cause: error });
  }
}

/**
 * DuckDB's errors while parsing, binding or planning a query: the SQL is not
 * DuckDB's (syntax, a function, type or feature it lacks), as opposed to
 * errors of the data (conversion, division by zero) the target would raise too.
 */
const DUCKDB_CANNOT_COMPILE = /\b(?:Parser|Binder|Catalog|Not implemented) Error\b/i;

/** DuckDB refused the model's SQL itself: the test may rerun on the model's target. */
class DuckdbRejected extends DvtError {
  constructor(
    message: string,
    readonly duckdbMessage: string,
    cause: unknown,
  ) {
    super('database', message, { cause });
  }
}

/** What a DuckDB error says the model's SQL needs, in the user's terms. */
export function missingInDuckdb(message: string): string {
  const fn = /(?:Scalar|Aggregate|Table) Function with name "?([\w.]+)"? does not exist/i.exec(message);
  if (fn) return `model SQL uses function ${fn[1]}, which DuckDB lacks`;
  const type = /Type with name "?([\w.]+)"? does not exist/i.exec(message);
  if (type) return `model SQL uses type ${type[1]}, which DuckDB lacks`;
  const call = /No function matches the given name and argument types '([^']+)'/i.exec(message);
  if (call) return `model SQL calls ${call[1]}, which no DuckDB function takes`;
  if (/Parser Error/i.test(message)) return 'model SQL uses syntax DuckDB cannot parse';
  return 'DuckDB could not run the model SQL';
}

function writeCompiled(targetPath: string, node: ExecutableNode, sql: string): void {
  const file = join(targetPath, 'compiled', node.package_name, node.original_file_path, node.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, sql);
}
