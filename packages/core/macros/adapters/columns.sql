{#- Column changes for incremental models' on_schema_change. Columns arrive
    as mappings with `name` and `data_type`. These macros return a list of
    statements (one per column), because not every engine accepts several
    actions in one ALTER TABLE. -#}

{% macro alter_relation_add_remove_columns(relation, add_columns, remove_columns) -%}
  {{ return(adapter.dispatch('alter_relation_add_remove_columns', 'dbt')(relation, add_columns, remove_columns)) }}
{%- endmacro %}

{% macro default__alter_relation_add_remove_columns(relation, add_columns, remove_columns) -%}
  {%- set statements = [] -%}
  {%- for column in add_columns or [] -%}
    {%- do statements.append('alter table ' ~ relation ~ ' add column ' ~ adapter.quote(column.name) ~ ' ' ~ column.data_type) -%}
  {%- endfor -%}
  {%- for column in remove_columns or [] -%}
    {%- do statements.append('alter table ' ~ relation ~ ' drop column ' ~ adapter.quote(column.name)) -%}
  {%- endfor -%}
  {{ return(statements) }}
{%- endmacro %}

{% macro alter_column_type(relation, column_name, new_column_type) -%}
  {{ return(adapter.dispatch('alter_column_type', 'dbt')(relation, column_name, new_column_type)) }}
{%- endmacro %}

{% macro default__alter_column_type(relation, column_name, new_column_type) -%}
  {%- set column = adapter.quote(column_name) -%}
  {{ return(['alter table ' ~ relation ~ ' alter column ' ~ column ~ ' type ' ~ new_column_type ~ ' using cast(' ~ column ~ ' as ' ~ new_column_type ~ ')']) }}
{%- endmacro %}
