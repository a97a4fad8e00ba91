{#- The table a seed loads into. `columns` is a list of mappings with `name`
    (already quoted as the seed's quote_columns says) and `data_type`. -#}
{% macro get_create_seed_table_sql(relation, columns) -%}
  {{ return(adapter.dispatch('get_create_seed_table_sql', 'dbt')(relation, columns)) }}
{%- endmacro %}

{% macro default__get_create_seed_table_sql(relation, columns) -%}
create table {{ relation }} (
{%- for column in columns %}
  {{ column.name }} {{ column.data_type }}{{ ',' if not loop.last }}
{%- endfor %}
)
{%- endmacro %}
