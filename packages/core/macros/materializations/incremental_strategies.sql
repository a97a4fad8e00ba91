{#- Incremental strategies. The runner calls `get_incremental_<strategy>_sql`
    with one mapping: target_relation, temp_relation, unique_key (a list of
    column names, possibly empty), dest_columns (names, quoted), and
    incremental_predicates. A project adds a strategy by defining a macro of
    that name. Each returns one statement, or a list run in order. -#}

{% macro get_incremental_append_sql(arg_dict) -%}
  {{ return(adapter.dispatch('get_incremental_append_sql', 'dbt')(arg_dict)) }}
{%- endmacro %}

{% macro default__get_incremental_append_sql(arg_dict) -%}
  {{ return(get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns'])) }}
{%- endmacro %}

{% macro get_insert_into_sql(target_relation, temp_relation, dest_columns) -%}
  {%- set columns = dest_columns | join(', ') -%}
insert into {{ target_relation }} ({{ columns }})
select {{ columns }} from {{ temp_relation }}
{%- endmacro %}

{% macro get_incremental_delete_insert_sql(arg_dict) -%}
  {{ return(adapter.dispatch('get_incremental_delete_insert_sql', 'dbt')(arg_dict)) }}
{%- endmacro %}

{% macro default__get_incremental_delete_insert_sql(arg_dict) -%}
  {{ return(get_delete_insert_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{%- endmacro %}

{#- Deletes exactly the target rows whose whole key tuple appears in the new
    rows (NULL keys match NULL keys, so re-run rows never duplicate), then
    inserts the new rows. -#}
{% macro get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
  {{ return(adapter.dispatch('get_delete_insert_merge_sql', 'dbt')(target, source, unique_key, dest_columns, incremental_predicates)) }}
{%- endmacro %}

{% macro default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {%- set statements = [] -%}
  {%- set keys = [] -%}
  {%- if unique_key is string -%}{%- do keys.append(unique_key) -%}{%- elif unique_key -%}{%- do keys.extend(unique_key) -%}{%- endif -%}
  {%- if keys | length > 0 -%}
    {%- set matches = [] -%}
    {%- for key in keys -%}
      {%- do matches.append(null_safe_equals('dbt_internal_source.' ~ key, target ~ '.' ~ key)) -%}
    {%- endfor -%}
    {%- set delete_sql -%}
delete from {{ target }}
where exists (
  select 1 from {{ source }} as dbt_internal_source
  where {{ matches | join(' and ') }}
)
{%- for predicate in incremental_predicates or [] %}
and {{ predicate }}
{%- endfor -%}
    {%- endset -%}
    {%- do statements.append(delete_sql) -%}
  {%- endif -%}
  {%- do statements.append(get_insert_into_sql(target, source, dest_columns)) -%}
  {{ return(statements) }}
{%- endmacro %}

{% macro get_incremental_merge_sql(arg_dict) -%}
  {{ return(adapter.dispatch('get_incremental_merge_sql', 'dbt')(arg_dict)) }}
{%- endmacro %}

{% macro default__get_incremental_merge_sql(arg_dict) -%}
  {{ return(get_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{%- endmacro %}

{% macro get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
  {{ return(adapter.dispatch('get_merge_sql', 'dbt')(target, source, unique_key, dest_columns, incremental_predicates)) }}
{%- endmacro %}

{% macro default__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {%- set keys = [] -%}
  {%- if unique_key is string -%}{%- do keys.append(unique_key) -%}{%- elif unique_key -%}{%- do keys.extend(unique_key) -%}{%- endif -%}
  {%- set conditions = [] -%}
  {%- for key in keys -%}
    {%- do conditions.append(null_safe_equals('dbt_internal_source.' ~ key, 'dbt_internal_dest.' ~ key)) -%}
  {%- endfor -%}
  {%- for predicate in incremental_predicates or [] -%}
    {%- do conditions.append(predicate) -%}
  {%- endfor -%}
merge into {{ target }} as dbt_internal_dest
using {{ source }} as dbt_internal_source
on {{ conditions | join(' and ') if conditions else 'false' }}
{%- if keys | length > 0 %}
when matched then update set
  {% for column in dest_columns -%}
  {{ column }} = dbt_internal_source.{{ column }}{{ ',' if not loop.last }}
  {% endfor -%}
{%- endif %}
when not matched then insert ({{ dest_columns | join(', ') }})
values ({% for column in dest_columns %}dbt_internal_source.{{ column }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- `a = b`, except that NULL equals NULL. Engines with `is not distinct from`
    or `<=>` may override with the shorter form. -#}
{% macro null_safe_equals(left, right) -%}
  {{ return(adapter.dispatch('null_safe_equals', 'dbt')(left, right)) }}
{%- endmacro %}

{% macro default__null_safe_equals(left, right) -%}
({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}

{#- Microbatch: replaces one time window of the target. `incremental_predicates`
    bound the window on the target's event_time column. -#}
{% macro get_incremental_microbatch_sql(arg_dict) -%}
  {{ return(adapter.dispatch('get_incremental_microbatch_sql', 'dbt')(arg_dict)) }}
{%- endmacro %}

{% macro default__get_incremental_microbatch_sql(arg_dict) -%}
  {%- set delete_sql -%}
delete from {{ arg_dict['target_relation'] }}
where {{ arg_dict['incremental_predicates'] | join(' and ') }}
  {%- endset -%}
  {{ return([delete_sql, get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns'])]) }}
{%- endmacro %}
