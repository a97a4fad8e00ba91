{#- Grants on MySQL and MariaDB. A grantee in the `grants` config is a user
    or role name, meaning 'name'@'%', or a full 'name'@'host'. Table grants
    belong to the name, not the object: they outlive a DROP or a RENAME, so
    a rebuilt relation keeps them and they are read and compared
    (copy_grants stays true). -#}
{% macro mysql__grantee(grantee) -%}
  {%- if '@' in grantee -%}
    {{ return(grantee) }}
  {%- else -%}
    {{ return("'" ~ grantee | replace("'", "''") ~ "'@'%'") }}
  {%- endif -%}
{%- endmacro %}

{% macro mysql__get_grant_sql(relation, privilege, grantees) -%}
  {%- set accounts = [] -%}
  {%- for grantee in grantees -%}{%- do accounts.append(mysql__grantee(grantee)) -%}{%- endfor -%}
grant {{ privilege }} on {{ relation }} to {{ accounts | join(', ') }}
{%- endmacro %}

{% macro mysql__get_revoke_sql(relation, privilege, grantees) -%}
  {%- set accounts = [] -%}
  {%- for grantee in grantees -%}{%- do accounts.append(mysql__grantee(grantee)) -%}{%- endfor -%}
revoke {{ privilege }} on {{ relation }} from {{ accounts | join(', ') }}
{%- endmacro %}

{#- information_schema spells a grantee 'name'@'host'; one on every host
    ('%') is answered as its bare name, as the config writes it. -#}
{% macro mysql__get_show_grant_sql(relation) -%}
select case when substring_index(grantee, '@', -1) = '''%'''
            then replace(substring_index(grantee, '@', 1), '''', '')
            else grantee end as grantee,
       lower(privilege_type) as privilege_type
from information_schema.table_privileges
where table_schema = {{ "'" ~ relation.schema | replace("'", "''") ~ "'" }}
  and table_name = {{ "'" ~ relation.identifier | replace("'", "''") ~ "'" }}
{%- endmacro %}
