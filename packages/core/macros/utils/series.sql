{#- Integer series without a generate_series() function: cross joins of a
    two-row table, one per bit (`dbt.generate_series(10)` gives 1..10 in a
    column named generated_number). -#}

{#- The number of bits needed to count to upper_bound (at least 1). -#}
{% macro get_powers_of_two(upper_bound) -%}
  {{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}
{%- endmacro %}
{% macro default__get_powers_of_two(upper_bound) -%}
  {%- if upper_bound <= 0 -%}
    {{ exceptions.raise_compiler_error("upper bound must be positive") }}
  {%- endif -%}
  {%- for bits in range(1, 100) -%}
    {%- if upper_bound <= 2 ** bits -%}{{ return(bits) }}{%- endif -%}
  {%- endfor -%}
{%- endmacro %}

{% macro generate_series(upper_bound) -%}
  {{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}
{%- endmacro %}
{% macro default__generate_series(upper_bound) %}
  {%- set bits = dbt.get_powers_of_two(upper_bound) %}
  with series_bit as (
    select 0 as bit_value union all select 1
  ),
  series_numbers as (
    select
      1{% for i in range(bits) %} + bit{{ i }}.bit_value * {{ 2 ** i }}{% endfor %} as generated_number
    from {% for i in range(bits) %}series_bit as bit{{ i }}{% if not loop.last %} cross join {% endif %}{% endfor %}
  )
  select generated_number
  from series_numbers
  where generated_number <= {{ upper_bound }}
  order by generated_number
{% endmacro %}
