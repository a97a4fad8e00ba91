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

{#- The same rules for `{% materialization %}` blocks, which call these as
    dbt's do (the builtin materializations run them from the runner). -#}

{#- Whether old grants may still be on the relation: not when it did not
    exist; when it was replaced, as copy_grants() says; when kept, yes. -#}
{% macro should_revoke(existing_relation, full_refresh_mode=True) -%}
  {%- if not existing_relation -%}
    {{ return(False) }}
  {%- elif full_refresh_mode -%}
    {{ return(copy_grants()) }}
  {%- else -%}
    {{ return(True) }}
  {%- endif -%}
{%- endmacro %}

{% macro get_dcl_statement_list(relation, grant_config, get_dcl_macro) -%}
  {{ return(adapter.dispatch('get_dcl_statement_list', 'dbt')(relation, grant_config, get_dcl_macro)) }}
{%- endmacro %}

{% macro default__get_dcl_statement_list(relation, grant_config, get_dcl_macro) -%}
  {%- set statements = [] -%}
  {%- set together = support_multiple_grantees_per_dcl_statement() -%}
  {%- for privilege, grantees in grant_config.items() if grantees -%}
    {%- if together -%}
      {%- do statements.append(get_dcl_macro(relation, privilege, grantees)) -%}
    {%- else -%}
      {%- for grantee in grantees -%}
        {%- do statements.append(get_dcl_macro(relation, privilege, [grantee])) -%}
      {%- endfor -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(statements) }}
{%- endmacro %}

{% macro call_dcl_statements(dcl_statement_list) -%}
  {{ return(adapter.dispatch('call_dcl_statements', 'dbt')(dcl_statement_list)) }}
{%- endmacro %}

{% macro default__call_dcl_statements(dcl_statement_list) -%}
  {%- for dcl in dcl_statement_list if dcl | trim -%}
    {%- call statement('grants') -%}{{ dcl }}{%- endcall -%}
  {%- endfor -%}
{%- endmacro %}

{% macro apply_grants(relation, grant_config, should_revoke) -%}
  {{ return(adapter.dispatch('apply_grants', 'dbt')(relation, grant_config, should_revoke)) }}
{%- endmacro %}

{#- An empty grant_config does nothing; with should_revoke the current
    grants are read, and only the differences run. -#}
{% macro default__apply_grants(relation, grant_config, should_revoke=True) -%}
  {%- if grant_config -%}
    {%- set to_grant = grant_config -%}
    {%- set to_revoke = {} -%}
    {%- set show_sql = get_show_grant_sql(relation) | trim -%}
    {%- if should_revoke and show_sql -%}
      {%- set current = adapter.standardize_grants_dict(run_query(show_sql)) -%}
      {%- set to_grant = diff_of_two_dicts(grant_config, current) -%}
      {%- set to_revoke = diff_of_two_dicts(current, grant_config) -%}
    {%- endif -%}
    {%- set dcl = get_dcl_statement_list(relation, to_revoke, get_revoke_sql) + get_dcl_statement_list(relation, to_grant, get_grant_sql) -%}
    {%- if dcl -%}{{ call_dcl_statements(dcl) }}{%- endif -%}
  {%- endif -%}
{%- endmacro %}
