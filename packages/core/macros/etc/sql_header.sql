{#- `{% call set_sql_header(config) %}set timezone = 'UTC';{% endcall %}` in a
    model: SQL the runner sends before the model's statement. -#}
{% macro set_sql_header(config) -%}
  {{ config.set('sql_header', caller()) }}
{%- endmacro %}
