{#- MySQL/MariaDB DDL where it differs from the builtin macros. Every DDL
    statement commits implicitly on these engines, so none of this can be
    rolled back; the runner builds beside the live relation and swaps. -#}

{#- A parenthesised query after AS is not accepted by every server version;
    the line break keeps a trailing `-- comment` in the model harmless. -#}
{% macro mysql__create_table_as(temporary, relation, compiled_code) -%}
create {% if temporary %}temporary {% endif %}table {{ relation }} as
{{ compiled_code }}
{%- endmacro %}

{% macro mysql__create_view_as(relation, compiled_code) -%}
create view {{ relation }} as
{{ compiled_code }}
{%- endmacro %}

{% macro mysql__get_replace_view_sql(relation, compiled_code) -%}
create or replace view {{ relation }} as
{{ compiled_code }}
{%- endmacro %}

{#- A schema is a MySQL database: it takes a bare name. -#}
{% macro mysql__create_schema(relation) -%}
create schema if not exists {{ adapter.quote(relation.schema) }}
{%- endmacro %}

{#- Dropping a MySQL database drops its tables with it. -#}
{% macro mysql__drop_schema(relation) -%}
drop schema if exists {{ adapter.quote(relation.schema) }}
{%- endmacro %}

{% macro mysql__drop_relation(relation) -%}
drop {{ 'view' if relation.type == 'view' else 'table' }} if exists {{ relation }}
{%- endmacro %}

{#- RENAME TABLE moves views too, and keeps the relation in its schema when
    the new name is qualified with it. -#}
{% macro mysql__rename_relation(from_relation, to_relation) -%}
rename table {{ from_relation }} to {{ adapter.quote(from_relation.schema) }}.{{ adapter.quote(to_relation.identifier) }}
{%- endmacro %}

{% macro mysql__alter_column_type(relation, column_name, new_column_type) -%}
  {{ return(['alter table ' ~ relation ~ ' modify column ' ~ adapter.quote(column_name) ~ ' ' ~ new_column_type]) }}
{%- endmacro %}

{#- One statement renames both, atomically: readers see the old relation or
    the new one, never neither. -#}
{% macro mysql__swap_relation(existing, backup, tmp, target) -%}
rename table {{ existing }} to {{ adapter.quote(existing.schema) }}.{{ adapter.quote(backup.identifier) }}, {{ tmp }} to {{ adapter.quote(existing.schema) }}.{{ adapter.quote(target.identifier) }}
{%- endmacro %}

{% macro mysql__create_table_like(relation, existing) -%}
create table {{ relation }} like {{ existing }}
{%- endmacro %}

{#- Triggers belong to the table object and foreign keys follow it through a
    rename; grants are by name, so they stay with the name. -#}
{% macro mysql__table_replacement_blockers_sql(relation) -%}
{%- set schema = relation.schema | replace('\\', '\\\\') | replace("'", "''") -%}
{%- set name = relation.identifier | replace('\\', '\\\\') | replace("'", "''") -%}
select 'trigger' from information_schema.triggers
where event_object_schema = '{{ schema }}' and event_object_table = '{{ name }}'
union all
select 'foreign key' from information_schema.referential_constraints
where unique_constraint_schema = '{{ schema }}' and referenced_table_name = '{{ name }}'
{%- endmacro %}
