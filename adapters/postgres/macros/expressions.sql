{#- Cross-database helpers PostgreSQL spells differently. -#}

{#- PostgreSQL has no datediff(): count the boundaries of `datepart` crossed
    between the two values, as the warehouses' datediff does. -#}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
  {%- set part = datepart | lower -%}
  {%- set a = '(' ~ first_date ~ ')' -%}
  {%- set b = '(' ~ second_date ~ ')' -%}
  {%- set days = '(' ~ b ~ '::date - ' ~ a ~ '::date)' -%}
  {%- set years = "(date_part('year', " ~ b ~ "::date) - date_part('year', " ~ a ~ "::date))" -%}
  {%- if part == 'year' -%}
{{ years }}
  {%- elif part == 'quarter' -%}
({{ years }} * 4 + date_part('quarter', {{ b }}::date) - date_part('quarter', {{ a }}::date))
  {%- elif part == 'month' -%}
({{ years }} * 12 + date_part('month', {{ b }}::date) - date_part('month', {{ a }}::date))
  {%- elif part == 'week' -%}
(({{ b }}::date - cast(extract(isodow from {{ b }}::date) as integer) + 1) - ({{ a }}::date - cast(extract(isodow from {{ a }}::date) as integer) + 1)) / 7
  {%- elif part == 'day' -%}
{{ days }}
  {%- else -%}
    {%- set hours = '(' ~ days ~ " * 24 + date_part('hour', " ~ b ~ "::timestamp) - date_part('hour', " ~ a ~ "::timestamp))" -%}
    {%- set minutes = '(' ~ hours ~ " * 60 + date_part('minute', " ~ b ~ "::timestamp) - date_part('minute', " ~ a ~ "::timestamp))" -%}
    {%- set seconds = '(' ~ minutes ~ " * 60 + floor(date_part('second', " ~ b ~ "::timestamp)) - floor(date_part('second', " ~ a ~ "::timestamp)))" -%}
    {%- if part == 'hour' -%}
{{ hours }}
    {%- elif part == 'minute' -%}
{{ minutes }}
    {%- elif part == 'second' -%}
{{ seconds }}
    {%- elif part == 'millisecond' -%}
({{ minutes }} * 60000 + floor(date_part('milliseconds', {{ b }}::timestamp)) - floor(date_part('milliseconds', {{ a }}::timestamp)))
    {%- elif part == 'microsecond' -%}
({{ minutes }} * 60000000 + date_part('microseconds', {{ b }}::timestamp) - date_part('microseconds', {{ a }}::timestamp))
    {%- else -%}
      {{ exceptions.raise_compiler_error("datediff: unsupported datepart '" ~ datepart ~ "' on PostgreSQL") }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{#- any_value() exists only from PostgreSQL 16; min() returns one of the values too. -#}
{% macro postgres__any_value(expression) -%}min({{ expression }}){%- endmacro %}

{#- string_agg has no LIMIT: aggregate into an array, slice it, join it. -#}
{% macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if limit_num -%}
array_to_string((array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}))[1:{{ limit_num }}], {{ delimiter_text }})
  {%- else -%}
string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
  {%- endif -%}
{%- endmacro %}

{% macro postgres__type_float() -%}{{ return('double precision') }}{%- endmacro %}
