import type { Project } from '../project/types.js';

/**
 * Names through which a template reaches the database. Core's builtin and
 * adapter macros that read while rendering are `load_relation` and
 * `get_intervals_between` (which `date_spine` calls); everything else that
 * reads or writes while rendering is written in the project or its packages,
 * so it names one of these in their text.
 */
const DATABASE_CALLS =
  /\b(run_query|statement|load_result|load_relation|get_intervals_between|date_spine|load_cached_relation|get_relation|get_columns_in_relation|get_missing_columns|list_relations_without_caching|create_schema|drop_relation|rename_relation|truncate_relation|drop_schema)\b|\badapter\s*\.\s*execute\b|\{%-?\s*materialization\b/;

/**
 * Whether any template of the project (nodes, hooks, macros of the project and
 * its packages) may call the database while rendering. Commands use it to
 * start the database bridge only when a template needs it: the bridge's
 * worker moves every statement across threads, which costs a little on
 * each (measured in the package README).
 */
export function templatesReadDatabase(project: Project): boolean {
  const texts = function* (): Generator<string> {
    for (const pkg of project.packages) yield* [...pkg.config.onRunStart, ...pkg.config.onRunEnd];
    for (const node of project.nodes.values()) {
      yield node.raw_code;
      for (const hook of [...node.config.pre_hook, ...node.config.post_hook]) yield hook.sql;
    }
    for (const file of project.macroFiles) yield file.contents;
  };
  for (const text of texts()) if (DATABASE_CALLS.test(text)) return true;
  return false;
}
