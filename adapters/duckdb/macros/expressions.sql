{# DuckDB spellings of core's cross-database helpers where the default SQL does not run on DuckDB or loses precision. #}

{# DuckDB takes the date part as a string; casting both sides lets dates and timestamps mix. #}
{% macro duckdb__datediff(first_date, second_date, datepart) -%}
  date_diff('{{ datepart }}', ({{ first_date }})::timestamp, ({{ second_date }})::timestamp)
{%- endmacro %}

{# PostgreSQL reads a bare string literal plus an interval as a timestamp; DuckDB
   cannot choose a type for it (dbt_utils' date_spine passes '2018-01-01'), so a
   quoted literal is cast to timestamp. Columns and typed expressions pass as they are. #}
{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {%- set start = from_date_or_timestamp | string | trim -%}
  {%- if modules.re.match("^'[^']*'$", start) -%}{%- set start = 'cast(' ~ start ~ ' as timestamp)' -%}{%- endif -%}
  {{ start }} + ((interval '1 {{ datepart }}') * ({{ interval }}))
{%- endmacro %}

{# FLOAT is 4 bytes in DuckDB; dbt's float is double precision elsewhere. #}
{% macro duckdb__type_float() -%}{{ return('double') }}{%- endmacro %}

{% macro duckdb__safe_cast(field, type) -%}try_cast({{ field }} as {{ type }}){%- endmacro %}

{# string_agg has no limit: aggregate into a list, keep the first limit_num, join. #}
{% macro duckdb__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if limit_num -%}
  array_to_string(list_slice(list({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}), 1, {{ limit_num }}), {{ delimiter_text }})
  {%- else -%}
  string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
  {%- endif -%}
{%- endmacro %}
