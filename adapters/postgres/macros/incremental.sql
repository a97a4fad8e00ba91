{#- MERGE exists from PostgreSQL 15. The dialect cannot ask the server, so
    the merge strategy first checks the version on the server itself and
    fails with advice instead of a syntax error on older servers. -#}
{% macro postgres__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {%- set statements = [postgres__require_server_version(150000, "incremental_strategy 'merge'", "use incremental_strategy 'delete+insert' on this server")] -%}
  {%- do statements.append(default__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates)) -%}
  {{ return(statements) }}
{%- endmacro %}

{#- A statement that raises `what needs PostgreSQL <version> or later` with
    the server's own version when server_version_num is below `min_version_num`. -#}
{% macro postgres__require_server_version(min_version_num, what, advice) -%}
  {%- set major = (min_version_num // 10000) | string -%}
do $dvt_version_check$
begin
  if current_setting('server_version_num')::int < {{ min_version_num | int }} then
    raise exception '% needs PostgreSQL % or later; this server is %: %', {{ dbt.string_literal(what | replace("'", "''")) }}, {{ dbt.string_literal(major) }}, current_setting('server_version'), {{ dbt.string_literal(advice | replace("'", "''")) }};
  end if;
end
$dvt_version_check$
{%- endmacro %}
