{#- Redshift DDL where it differs from PostgreSQL's. Schemas, drops and
    renames are the postgres__ macros, inherited through `parentTypes` from
    the PostgreSQL macro directory the adapter lists in its `macrosDir`. -#}

{#- Tables take Redshift's physical options from the model config:
    dist ('even', 'all', 'auto' or a column), sort (a column or a list),
    sort_type ('compound' or 'interleaved'), backup (false skips snapshots). -#}
{% macro redshift__create_table_as(temporary, relation, compiled_code) -%}
  {%- set dist = config.get('dist') -%}
  {%- set sort = config.get('sort') -%}
  {%- set sort_type = config.get('sort_type') -%}
  {%- set backup = config.get('backup', true) -%}
  {%- set sort_columns = [sort] if sort is string else (sort or []) -%}
create {% if temporary -%}
temporary table {{ relation.include(database=false, schema=false) }}
{%- else -%}
table {{ relation }}
{%- endif %}
{%- if backup == false and not temporary %} backup no{% endif %}
{%- if dist %}
  {%- if dist | lower in ['all', 'even', 'auto'] %} diststyle {{ dist | lower }}
  {%- else %} diststyle key distkey ({{ adapter.quote(dist) }})
  {%- endif %}
{%- endif %}
{%- if sort_columns | length > 0 %} {{ sort_type or 'compound' }} sortkey ({% for c in sort_columns %}{{ adapter.quote(c) }}{{ ', ' if not loop.last }}{% endfor %}){% endif %}
as (
{{ compiled_code }}
)
{%- endmacro %}

{#- MERGE on Redshift: no alias on the target, and both WHEN clauses are
    required, so a merge without a unique key is a plain insert. -#}
{% macro redshift__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
  {%- if keys | length == 0 -%}
    {{ return(get_insert_into_sql(target, source, dest_columns)) }}
  {%- endif -%}
  {%- set conditions = [] -%}
  {#- The target is referred to by its bare name: a column reference may not
      carry the database and schema too. -#}
  {%- set target_name = adapter.quote(target.identifier) -%}
  {%- for key in keys -%}
    {%- do conditions.append(null_safe_equals('dbt_internal_source.' ~ key, target_name ~ '.' ~ key)) -%}
  {%- endfor -%}
  {%- for predicate in incremental_predicates or [] -%}
    {%- do conditions.append(predicate) -%}
  {%- endfor -%}
merge into {{ target }}
using {{ source }} as dbt_internal_source
on {{ conditions | join(' and ') }}
when matched then update set
  {% for column in dest_columns -%}
  {{ column }} = dbt_internal_source.{{ column }}{{ ',' if not loop.last }}
  {% endfor -%}
when not matched then insert ({{ dest_columns | join(', ') }})
values ({% for column in dest_columns %}dbt_internal_source.{{ column }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
