{#- Redshift lacks information_schema.role_table_grants: each user other than
    the current one and superusers is asked, per privilege, whether it holds
    it on the relation. -#}
{% macro redshift__get_show_grant_sql(relation) -%}
with privilege_types as (
  select 'select' as privilege_type
  union all select 'insert'
  union all select 'update'
  union all select 'delete'
  union all select 'references'
)
select u.usename as grantee, p.privilege_type
from pg_user u
cross join privilege_types p
where u.usename <> current_user
  and not u.usesuper
  and has_table_privilege(u.usename, {{ "'" ~ relation.render() | replace("'", "''") ~ "'" }}, p.privilege_type)
{%- endmacro %}
