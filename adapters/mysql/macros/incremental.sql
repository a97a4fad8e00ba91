{#- `<=>` is MySQL's NULL-safe equality: the delete+insert strategy matches
    NULL keys with it. -#}
{% macro mysql__null_safe_equals(left, right) -%}
({{ left }} <=> {{ right }})
{%- endmacro %}

{#- incremental_strategy='upsert': INSERT ... SELECT ... ON DUPLICATE KEY
    UPDATE. The target needs a primary or unique key on the unique_key
    columns (add it in a post-hook); rows whose key exists are updated in
    place, others inserted, in one statement. -#}
{% macro get_incremental_upsert_sql(arg_dict) -%}
  {{ return(adapter.dispatch('get_incremental_upsert_sql', 'dbt')(arg_dict)) }}
{%- endmacro %}

{% macro mysql__get_incremental_upsert_sql(arg_dict) -%}
  {%- set columns = arg_dict['dest_columns'] -%}
  {%- if not arg_dict['unique_key'] -%}
    {{ exceptions.raise_compiler_error("incremental_strategy 'upsert' needs a unique_key (and a primary or unique key on those columns in the table)") }}
  {%- endif -%}
insert into {{ arg_dict['target_relation'] }} ({{ columns | join(', ') }})
select {{ columns | join(', ') }} from {{ arg_dict['temp_relation'] }} as dbt_internal_source
on duplicate key update
{%- for column in columns %}
  {{ column }} = dbt_internal_source.{{ column }}{{ ',' if not loop.last }}
{%- endfor %}
{%- endmacro %}
