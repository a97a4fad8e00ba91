{#- Cross-database helpers Redshift has natively, where postgres__ would
    otherwise emulate them. -#}

{% macro redshift__datediff(first_date, second_date, datepart) -%}
datediff({{ datepart }}, {{ first_date }}, {{ second_date }})
{%- endmacro %}

{% macro redshift__any_value(expression) -%}any_value({{ expression }}){%- endmacro %}

{#- LISTAGG ... WITHIN GROUP; Redshift has no LIMIT inside an aggregate. -#}
{% macro redshift__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if limit_num -%}
    {{ exceptions.raise_compiler_error('listagg with limit_num is not supported on Redshift') }}
  {%- endif -%}
listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}

{#- A bare varchar is varchar(256) on Redshift: casts would truncate. -#}
{% macro redshift__type_string() -%}{{ return('varchar(65535)') }}{%- endmacro %}
