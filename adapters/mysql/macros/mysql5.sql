{#- MySQL 5.x has no CTEs: the builtin generic tests that use them, with subqueries. -#}

{% macro mysql5__test_accepted_values(model, column_name, values, quote=True) %}
select *
from (
    select {{ column_name }} as value_field, count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
) as observed
where value_field not in (
    {%- for value in values -%}
      {%- if quote %}'{{ value }}'{% else %}{{ value }}{% endif -%}
      {%- if not loop.last %}, {% endif -%}
    {%- endfor -%}
)
{% endmacro %}

{% macro mysql5__test_relationships(model, column_name, to, field) %}
select child.from_field
from (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
) as child
left join (
    select {{ field }} as to_field
    from {{ to }}
) as parent on child.from_field = parent.to_field
where parent.to_field is null
{% endmacro %}

{#- The snapshot staging select with its parts inlined as derived tables. -#}
{% macro mysql5__snapshot_staging_sql(snap) -%}
{{ snapshot_staging_select(snap, true) }}
{%- endmacro %}
