{#- A data test's SQL selects the failing rows; the runner runs this wrapper
    and reads one row: how many failures, and whether they warn or error. -#}
{% macro get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
  {{ return(adapter.dispatch('get_test_sql', 'dbt')(main_sql, fail_calc, warn_if, error_if, limit)) }}
{%- endmacro %}

{% macro default__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
select
  {{ fail_calc }} as failures,
  case when {{ fail_calc }} {{ warn_if }} then 1 else 0 end as should_warn,
  case when {{ fail_calc }} {{ error_if }} then 1 else 0 end as should_error
from (
{{ main_sql }}
{{ "limit " ~ limit if limit is not none }}
) dbt_internal_test
{%- endmacro %}
