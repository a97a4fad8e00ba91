import { withDefaults } from '../adapter/defaults/index.js';
import { DvtError } from '../errors.js';
import { findRelation } from './context.js';
import { ConnectionPool } from './pool.js';
import { asStatements } from './statements.js';
import type { ShowOptions, ShowResult } from './types.js';

/**
 * `dvt show`: compiles a node (or takes inline SQL), wraps it with
 * `get_show_sql` for the row limit, and returns the columns and rows.
 */
export async function showQuery(opts: ShowOptions): Promise<ShowResult> {
  const { project, compiler, node } = opts;
  if (!node && opts.inlineSql === undefined) throw new DvtError('usage', 'show needs a node or inline SQL');
  const output = compiler.outputOf(node);
  const pool = new ConnectionPool(
    project.profile.outputs,
    opts.resolveAdapter,
    { projectDir: project.config.rootDir, logger: { debug() {}, info() {}, warn() {} } },
    1,
    (c, a) => withDefaults(c, a.dialect),
  );
  try {
    const lease = await pool.acquire(output.name);
    try {
      let sql = opts.inlineSql ?? '';
      if (node) {
        const existing = node.resource_type === 'model' ? await findRelation({ connection: withDefaults(lease.connection, lease.adapter.dialect) }, compiler.relationOf(node).toRef()) : undefined;
        sql = compiler.compileNode(node, {
          relationExists: existing !== undefined,
          relationType: existing ? (existing.kind === 'view' ? 'view' : 'table') : undefined,
          fullRefresh: false,
        }).compiled_code;
      }
      // `select ...;` is one statement to a user, but the limit wraps it as a subquery.
      sql = sql.replace(/[\s;]+$/, '');
      const limit = opts.limit < 0 ? null : opts.limit;
      const statements = asStatements(compiler.callMacro('get_show_sql', [sql, null, limit], {}, { node, adapterType: lease.adapter.type }), 'get_show_sql');
      let result: ShowResult = { columns: [], rows: [] };
      for (const statement of statements) result = await lease.connection.query(statement.trim());
      return { columns: result.columns, rows: result.rows };
    } finally {
      lease.release();
    }
  } finally {
    await pool.closeAll();
  }
}
