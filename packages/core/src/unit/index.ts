export { executeUnitTest, missingInDuckdb, UNIT_TEST_ENGINE } from './run.js';
export type { UnitTestEngineChoice, UnitTestRunOptions } from './run.js';
export { unitTestNode } from './node.js';
export { rowsSql, inferColumns, sqlLiteral } from './fixture-sql.js';
export type { FixtureColumn } from './fixture-sql.js';
export { compareSql, renderDiff } from './compare.js';
export type { DiffRow } from './compare.js';
export { declaredColumns, describedColumns, translateType } from './columns.js';
