{#- The SQL of the `grants` config; the runner (src/run/grants.ts) decides
    what to revoke and grant. An adapter overrides any of these with
    `<type>__name`. -#}

{#- Whether grants survive when a relation is replaced (dropped and rebuilt
    or swapped in under its name). Assumed so unless the engine says not:
    the current grants are then read and compared. -#}
{% macro copy_grants() -%}
  {{ return(adapter.dispatch('copy_grants', 'dbt')()) }}
{%- endmacro %}

{% macro default__copy_grants() -%}
  {{ return(True) }}
{%- endmacro %}

{#- Whether one GRANT/REVOKE may name several grantees. -#}
{% macro support_multiple_grantees_per_dcl_statement() -%}
  {{ return(adapter.dispatch('support_multiple_grantees_per_dcl_statement', 'dbt')()) }}
{%- endmacro %}

{% macro default__support_multiple_grantees_per_dcl_statement() -%}
  {{ return(True) }}
{%- endmacro %}

{#- A query answering the relation's current grants, one row per privilege
    and grantee, in the columns grantee and privilege_type; grants to the
    current user are left out. -#}
{% macro get_show_grant_sql(relation) -%}
  {{ return(adapter.dispatch('get_show_grant_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_show_grant_sql(relation) -%}
show grants on {{ relation }}
{%- endmacro %}

{% macro get_grant_sql(relation, privilege, grantees) -%}
  {{ return(adapter.dispatch('get_grant_sql', 'dbt')(relation, privilege, grantees)) }}
{%- endmacro %}

{% macro default__get_grant_sql(relation, privilege, grantees) -%}
grant {{ privilege }} on {{ relation }} to {{ grantees | join(', ') }}
{%- endmacro %}

{#- Grantees read back from the engine are quoted: their spelling is exact. -#}
{% macro get_revoke_sql(relation, privilege, grantees) -%}
  {{ return(adapter.dispatch('get_revoke_sql', 'dbt')(relation, privilege, grantees)) }}
{%- endmacro %}

{% macro default__get_revoke_sql(relation, privilege, grantees) -%}
{%- set quoted = [] -%}
{%- for grantee in grantees -%}{%- do quoted.append(adapter.quote(grantee)) -%}{%- endfor -%}
revoke {{ privilege }} on {{ relation }} from {{ quoted | join(', ') }}
{%- endmacro %}
