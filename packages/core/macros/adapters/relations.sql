{#- DDL the runner's materializations issue. Each name dispatches, so an
    adapter's `<type>__<name>` or a project macro of the same name replaces it. -#}

{% macro create_table_as(temporary, relation, compiled_code) -%}
  {{ return(adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code)) }}
{%- endmacro %}

{% macro default__create_table_as(temporary, relation, compiled_code) -%}
create {% if temporary %}temporary {% endif %}table {{ relation }} as (
{{ compiled_code }}
)
{%- endmacro %}

{% macro create_view_as(relation, compiled_code) -%}
  {{ return(adapter.dispatch('create_view_as', 'dbt')(relation, compiled_code)) }}
{%- endmacro %}

{% macro default__create_view_as(relation, compiled_code) -%}
create view {{ relation }} as (
{{ compiled_code }}
)
{%- endmacro %}

{#- Used when the engine can replace a view in one statement. -#}
{% macro get_replace_view_sql(relation, compiled_code) -%}
  {{ return(adapter.dispatch('get_replace_view_sql', 'dbt')(relation, compiled_code)) }}
{%- endmacro %}

{% macro default__get_replace_view_sql(relation, compiled_code) -%}
create or replace view {{ relation }} as (
{{ compiled_code }}
)
{%- endmacro %}

{% macro drop_relation(relation) -%}
  {{ return(adapter.dispatch('drop_relation', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__drop_relation(relation) -%}
drop {{ relation.type or 'table' }} if exists {{ relation }} cascade
{%- endmacro %}

{#- `to_relation` keeps its schema: a rename never moves a relation. -#}
{% macro rename_relation(from_relation, to_relation) -%}
  {{ return(adapter.dispatch('rename_relation', 'dbt')(from_relation, to_relation)) }}
{%- endmacro %}

{% macro default__rename_relation(from_relation, to_relation) -%}
alter {{ from_relation.type or 'table' }} {{ from_relation }} rename to {{ adapter.quote(to_relation.identifier) }}
{%- endmacro %}

{#- Puts `tmp` in the place of `existing`, which becomes `backup`: two
    renames by default. Engines that rename several tables in one statement
    (MySQL's RENAME TABLE a TO b, c TO d) override it, so that no reader
    ever finds the name missing where DDL cannot run in a transaction. -#}
{% macro swap_relation(existing, backup, tmp, target) -%}
  {{ return(adapter.dispatch('swap_relation', 'dbt')(existing, backup, tmp, target)) }}
{%- endmacro %}

{% macro default__swap_relation(existing, backup, tmp, target) -%}
  {{ return([rename_relation(existing, backup), rename_relation(tmp, target)]) }}
{%- endmacro %}

{#- An empty table shaped as `existing`: its columns, and where the engine
    copies them (MySQL's CREATE TABLE ... LIKE) its keys, defaults and
    collations too. -#}
{% macro create_table_like(relation, existing) -%}
  {{ return(adapter.dispatch('create_table_like', 'dbt')(relation, existing)) }}
{%- endmacro %}

{% macro default__create_table_like(relation, existing) -%}
create table {{ relation }} as select * from {{ existing }} where 1 = 0
{%- endmacro %}

{#- A query whose rows name what another table swapped in under `relation`'s
    name would not inherit (triggers, foreign keys pointing at it); nothing
    where the engine has no such thing to lose. -#}
{% macro table_replacement_blockers_sql(relation) -%}
  {{ return(adapter.dispatch('table_replacement_blockers_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__table_replacement_blockers_sql(relation) -%}
{%- endmacro %}

{% macro truncate_relation(relation) -%}
  {{ return(adapter.dispatch('truncate_relation', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__truncate_relation(relation) -%}
truncate table {{ relation }}
{%- endmacro %}

{#- `relation` carries the database and schema; its identifier is ignored. -#}
{% macro create_schema(relation) -%}
  {{ return(adapter.dispatch('create_schema', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__create_schema(relation) -%}
create schema if not exists {{ relation.without_identifier() }}
{%- endmacro %}

{#- Drops the schema and everything in it, as dbt's does. -#}
{% macro drop_schema(relation) -%}
  {{ return(adapter.dispatch('drop_schema', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__drop_schema(relation) -%}
drop schema if exists {{ relation.without_identifier() }} cascade
{%- endmacro %}

{#- persist_docs: descriptions as database comments. -#}
{% macro alter_relation_comment(relation, relation_comment) -%}
  {{ return(adapter.dispatch('alter_relation_comment', 'dbt')(relation, relation_comment)) }}
{%- endmacro %}

{% macro default__alter_relation_comment(relation, relation_comment) -%}
comment on {{ 'view' if relation.type == 'view' else 'table' }} {{ relation }} is {{ dvt_comment_literal(relation_comment) }}
{%- endmacro %}

{#- `column_dict`: column name -> {name, description}; returns one statement per described column. -#}
{% macro alter_column_comment(relation, column_dict) -%}
  {{ return(adapter.dispatch('alter_column_comment', 'dbt')(relation, column_dict)) }}
{%- endmacro %}

{% macro default__alter_column_comment(relation, column_dict) -%}
  {%- set statements = [] -%}
  {%- for name, column in column_dict.items() -%}
    {%- if column.description -%}
      {%- do statements.append('comment on column ' ~ relation ~ '.' ~ adapter.quote(name) ~ ' is ' ~ dvt_comment_literal(column.description)) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(statements) }}
{%- endmacro %}

{% macro dvt_comment_literal(text) -%}
'{{ text | replace("'", "''") }}'
{%- endmacro %}
