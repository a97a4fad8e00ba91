{#- Grants on PostgreSQL. A replaced relation is a new object (the runner
    builds beside it and swaps, or rebuilds it): its old grants are gone, so
    nothing needs revoking then. -#}
{% macro postgres__copy_grants() -%}
  {{ return(False) }}
{%- endmacro %}

{#- Grants this role made on the relation to others (the owner's own
    privileges are not part of the `grants` config). -#}
{% macro postgres__get_show_grant_sql(relation) -%}
select grantee, privilege_type
from information_schema.role_table_grants
where grantor = current_role
  and grantee <> current_role
  and table_schema = {{ "'" ~ relation.schema | replace("'", "''") ~ "'" }}
  and table_name = {{ "'" ~ relation.identifier | replace("'", "''") ~ "'" }}
{%- endmacro %}
