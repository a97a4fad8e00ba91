{% macro should_store_failures() -%}
  {%- set configured = config.get('store_failures') -%}
  {%- if configured is none -%}
    {%- set configured = flags.STORE_FAILURES -%}
  {%- endif -%}
  {{ return(configured) }}
{%- endmacro %}
