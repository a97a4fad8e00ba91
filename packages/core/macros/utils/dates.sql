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

{#- A date from its parts, checked by Python's calendar (`dbt.date(2024, 2, 29)`);
    an ISO string cast to date reads the same on every engine. -#}
{% macro date(year, month, day) -%}{{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}{%- endmacro %}
{% macro default__date(year, month, day) -%}
  cast('{{ modules.datetime.date(year, month, day).isoformat() }}' as date)
{%- endmacro %}

{#- How many `datepart` boundaries lie between two SQL expressions, asked of the
    database (1 while parsing, when nothing runs). -#}
{% macro get_intervals_between(start_date, end_date, datepart) -%}
  {{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}
{%- endmacro %}
{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
  {%- call statement('intervals_between', fetch_result=True) -%}
    select {{ dbt.datediff(start_date, end_date, datepart) }}
  {%- endcall -%}
  {%- set answer = load_result('intervals_between') -%}
  {%- if answer and answer['data'] -%}
    {{ return(answer['data'][0][0]) }}
  {%- endif -%}
  {{ return(1) }}
{%- endmacro %}

{#- One row per `datepart` from start_date up to (not including) end_date, in a
    column named date_<datepart>. Both bounds are SQL expressions. -#}
{% macro date_spine(datepart, start_date, end_date) -%}
  {{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}
{%- endmacro %}
{% macro default__date_spine(datepart, start_date, end_date) %}
  with spine_numbers as (
    {{ dbt.generate_series(dbt.get_intervals_between(start_date, end_date, datepart)) }}
  ),
  spine_periods as (
    select {{ dbt.dateadd(datepart, 'generated_number - 1', start_date) }} as date_{{ datepart }}
    from spine_numbers
  )
  select * from spine_periods
  where date_{{ datepart }} <= {{ end_date }}
{% endmacro %}
