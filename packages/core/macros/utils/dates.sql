{#- Calendar helpers built on the cross-database expressions (`dbt.last_day(...)`). -#}

{#- The last date of the `datepart` period holding `date`: the start of the next
    period, one day back. A quarter is stepped as three months because some
    engines (PostgreSQL) have no quarter interval. -#}
{% macro last_day(date, datepart) -%}{{ adapter.dispatch('last_day', 'dbt')(date, datepart) }}{%- endmacro %}
{% macro default__last_day(date, datepart) -%}
  {%- set period_start = dbt.date_trunc(datepart, date) -%}
  {%- if datepart | lower == 'quarter' -%}
    {%- set next_period_start = dbt.dateadd('month', '3', period_start) -%}
  {%- else -%}
    {%- set next_period_start = dbt.dateadd(datepart, '1', period_start) -%}
  {%- endif -%}
  cast({{ dbt.dateadd('day', '-1', next_period_start) }} as date)
{%- endmacro %}
