{#- A generic test reads its model through this: with a `where` config the
    model becomes a filtered subquery. -#}
{% macro get_where_subquery(relation) -%}
  {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_where_subquery(relation) -%}
  {%- set where = config.get('where', '') -%}
  {%- if where -%}
    {%- set filtered -%}
      (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
  {%- else -%}
    {{ return(relation) }}
  {%- endif -%}
{%- endmacro %}
