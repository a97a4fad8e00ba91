{#- Whether the test keeps its failing rows: a set store_failures_as decides
    (ephemeral keeps none), else store_failures, else --store-failures. -#}
{% macro should_store_failures() -%}
  {%- set stored_as = config.get('store_failures_as') -%}
  {%- if stored_as is not none -%}
    {{ return(stored_as != 'ephemeral') }}
  {%- endif -%}
  {%- set configured = config.get('store_failures') -%}
  {%- if configured is none -%}
    {%- set configured = flags.STORE_FAILURES -%}
  {%- endif -%}
  {{ return(configured) }}
{%- endmacro %}
