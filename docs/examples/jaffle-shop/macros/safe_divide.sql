{#- Division that yields null instead of an error when the divisor is zero. -#}
{% macro safe_divide(numerator, denominator, scale=2) -%}
    round(cast({{ numerator }} as decimal(18, 6)) / nullif({{ denominator }}, 0), {{ scale }})
{%- endmacro %}
