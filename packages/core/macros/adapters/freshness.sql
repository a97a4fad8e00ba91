{#- The query `dvt source freshness` runs per source table: the newest load time. Adapters override `<type>__collect_freshness`. -#}
{% macro collect_freshness(source, loaded_at_field, filter) -%}
  {{ adapter.dispatch('collect_freshness', 'dbt')(source, loaded_at_field, filter) }}
{%- endmacro %}

{% macro default__collect_freshness(source, loaded_at_field, filter) -%}
select max({{ loaded_at_field }}) as max_loaded_at, {{ current_timestamp() }} as snapshotted_at
from {{ source }}
{%- if filter %}
where {{ filter }}
{%- endif %}
{%- endmacro %}
