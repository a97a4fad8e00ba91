{#- PostgreSQL DDL where it differs from the builtin macros. -#}

{#- A temporary table lives in the session's own pg_temp schema, so it is
    created without a schema; `unlogged: true` in a model's config skips the
    write-ahead log (faster, not crash-safe, not replicated). -#}
{% macro postgres__create_table_as(temporary, relation, compiled_code) -%}
  {%- set unlogged = config.get('unlogged', false) -%}
create {% if temporary -%}
temporary table {{ relation.include(database=false, schema=false) }}
{%- else -%}
{% if unlogged %}unlogged {% endif %}table {{ relation }}
{%- endif %} as (
{{ compiled_code }}
)
{%- endmacro %}

{#- CREATE SCHEMA takes a bare name: the database is the connected one. -#}
{% macro postgres__create_schema(relation) -%}
create schema if not exists {{ adapter.quote(relation.schema) }}
{%- endmacro %}

{% macro postgres__drop_schema(relation) -%}
drop schema if exists {{ adapter.quote(relation.schema) }} cascade
{%- endmacro %}

{% macro postgres__relation_keyword(relation) -%}
  {{ return('materialized view' if relation.type == 'materialized_view' else (relation.type or 'table')) }}
{%- endmacro %}

{% macro postgres__drop_relation(relation) -%}
drop {{ postgres__relation_keyword(relation) }} if exists {{ relation }} cascade
{%- endmacro %}

{% macro postgres__rename_relation(from_relation, to_relation) -%}
alter {{ postgres__relation_keyword(from_relation) }} {{ from_relation }} rename to {{ adapter.quote(to_relation.identifier) }}
{%- endmacro %}
