/**
 * `--empty` renders every `ref()`/`source()` as `(select * from x where false
 * limit 0) _dbt_limit_subq_x` (see `Relation.render`). When the model already
 * aliases that input (`from {{ ref('x') }} as o`, `... x o`), two aliases in a
 * row are a syntax error — dbt's long-standing limitation (dbt-core#9967,
 * dbt-adapters#199). The compiled SQL is whole here, so ours steps aside
 * wherever the model gives its own.
 */
const LIMITED_INPUT = /\) (_dbt_limit_subq_[\w$]+)(\s+)((?:as\s+)?)("[^"]+"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][\w$]*)/gi;

// Words that may follow a table reference without being its alias.
const NOT_AN_ALIAS = new Set(
  ('where join inner left right full outer cross natural on using group order limit having union except intersect window qualify ' +
    'lateral offset fetch for returning set pivot unpivot sample tablesample asof positional anti semi into select from and or not ' +
    'when then else end with straight_join partition minus')
    .split(' '),
);

export function yieldToModelAliases(sql: string): string {
  return sql.replace(LIMITED_INPUT, (whole, _ours: string, space: string, as: string, word: string) => {
    if (as === '' && NOT_AN_ALIAS.has(word.toLowerCase())) return whole;
    return `)${space}${as}${word}`;
  });
}
