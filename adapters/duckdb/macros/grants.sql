{#- DuckDB has no users or privileges: the `grants` config is accepted and
    does nothing (as dbt-duckdb), every statement rendering empty. -#}
{% macro duckdb__get_show_grant_sql(relation) -%}{%- endmacro %}
{% macro duckdb__get_grant_sql(relation, privilege, grantees) -%}{%- endmacro %}
{% macro duckdb__get_revoke_sql(relation, privilege, grantees) -%}{%- endmacro %}
