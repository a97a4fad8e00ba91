{#- Division that yields null instead of an error when the divisor is zero.
    The quotient is cast back to a decimal before rounding: DuckDB divides
    decimals in floating point, where a half-cent such as 84.145 can land just
    below and round down, while PostgreSQL and MariaDB divide exactly. -#}
{% macro safe_divide(numerator, denominator, scale=2) -%}
    round(cast(cast({{ numerator }} as decimal(18, 6)) / nullif({{ denominator }}, 0) as decimal(18, 6)), {{ scale }})
{%- endmacro %}
