{#- `dbt.equals(a, b)`: a predicate, never null, true when both sides are equal or both are null. -#}
{% macro equals(expr1, expr2) -%}{{ return(adapter.dispatch('equals', 'dbt')(expr1, expr2)) }}{%- endmacro %}
{% macro default__equals(expr1, expr2) -%}
  (case when ({{ expr1 }} = {{ expr2 }}) or ({{ expr1 }} is null and {{ expr2 }} is null) then 1 else 0 end = 1)
{%- endmacro %}
