{#- Cross-database helpers MySQL spells differently. `||` is OR here. -#}

{% macro mysql__concat(fields) -%}concat({{ fields | join(', ') }}){%- endmacro %}

{% macro mysql__dateadd(datepart, interval, from_date_or_timestamp) -%}
date_add({{ from_date_or_timestamp }}, interval ({{ interval }}) {{ datepart }})
{%- endmacro %}

{% macro mysql__datediff(first_date, second_date, datepart) -%}
timestampdiff({{ datepart }}, {{ first_date }}, {{ second_date }})
{%- endmacro %}

{% macro mysql__date_trunc(datepart, date) -%}
  {%- set part = datepart | lower -%}
  {%- if part == 'year' -%}str_to_date(date_format({{ date }}, '%Y-01-01'), '%Y-%m-%d')
  {%- elif part == 'quarter' -%}makedate(year({{ date }}), 1) + interval (quarter({{ date }}) - 1) quarter
  {%- elif part == 'month' -%}str_to_date(date_format({{ date }}, '%Y-%m-01'), '%Y-%m-%d')
  {%- elif part == 'week' -%}date(date_sub({{ date }}, interval weekday({{ date }}) day))
  {%- elif part == 'day' -%}date({{ date }})
  {%- elif part == 'hour' -%}str_to_date(date_format({{ date }}, '%Y-%m-%d %H:00:00'), '%Y-%m-%d %H:%i:%s')
  {%- elif part == 'minute' -%}str_to_date(date_format({{ date }}, '%Y-%m-%d %H:%i:00'), '%Y-%m-%d %H:%i:%s')
  {%- elif part == 'second' -%}str_to_date(date_format({{ date }}, '%Y-%m-%d %H:%i:%s'), '%Y-%m-%d %H:%i:%s')
  {%- else -%}{{ exceptions.raise_compiler_error("date_trunc: unsupported datepart '" ~ datepart ~ "' on MySQL") }}
  {%- endif -%}
{%- endmacro %}

{% macro mysql__split_part(string_text, delimiter_text, part_number) -%}
substring_index(substring_index({{ string_text }}, {{ delimiter_text }}, {{ part_number }}), {{ delimiter_text }}, -1)
{%- endmacro %}

{% macro mysql__position(substring_text, string_text) -%}locate({{ substring_text }}, {{ string_text }}){%- endmacro %}

{#- GROUP_CONCAT has no LIMIT clause; the list is cut at the limit-th separator. -#}
{% macro mysql__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- set agg = 'group_concat(' ~ measure ~ (' ' ~ order_by_clause if order_by_clause else '') ~ ' separator ' ~ delimiter_text ~ ')' -%}
  {%- if limit_num -%}
substring_index({{ agg }}, {{ delimiter_text }}, {{ limit_num }})
  {%- else -%}
{{ agg }}
  {%- endif -%}
{%- endmacro %}

{#- MariaDB has no any_value(); min() returns one of the values too. -#}
{% macro mysql__any_value(expression) -%}min({{ expression }}){%- endmacro %}

{#- CAST accepts only CHAR, SIGNED, DECIMAL, DOUBLE, DATETIME and a few more. -#}
{% macro mysql__type_string() -%}{{ return('char') }}{%- endmacro %}
{% macro mysql__type_timestamp() -%}{{ return('datetime(6)') }}{%- endmacro %}
{% macro mysql__type_float() -%}{{ return('double') }}{%- endmacro %}
{% macro mysql__type_numeric() -%}{{ return('decimal(28,6)') }}{%- endmacro %}
{% macro mysql__type_bigint() -%}{{ return('signed') }}{%- endmacro %}
{% macro mysql__type_int() -%}{{ return('signed') }}{%- endmacro %}
{% macro mysql__type_boolean() -%}{{ return('unsigned') }}{%- endmacro %}
