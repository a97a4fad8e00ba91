{#- The relation as it exists in the database, or none. Reading the database
    while compiling needs the database bridge; at parse time this is none. -#}
{% macro load_relation(relation) -%}
  {{ return(adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier)) }}
{%- endmacro %}

{% macro load_cached_relation(relation) -%}
  {{ return(load_relation(relation)) }}
{%- endmacro %}
