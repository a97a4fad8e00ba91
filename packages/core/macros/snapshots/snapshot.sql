{#- Snapshots (SCD type 2). The runner decides what runs when; every statement
    comes from these macros, which a project or an adapter (<type>__name)
    replaces as any other. `snap` carries what the runner resolved:
      relation, staging       the snapshot table and its staging table
      source_sql              the snapshot's compiled select
      columns                 the select's columns, quoted
      unique_key              key columns, quoted (one or several)
      strategy                'timestamp' or 'check'
      updated_at              the updated_at column or expression (timestamp strategy)
      check_cols              quoted columns compared (check strategy)
      hard_deletes            'ignore', 'invalidate' or 'new_record'
      valid_to_current        dbt_valid_to_current's expression, or none
      meta                    meta column names (snapshot_meta_column_names), quoted -#}

{% macro snapshot_get_time() -%}
  {{ return(adapter.dispatch('snapshot_get_time', 'dbt')()) }}
{%- endmacro %}

{% macro default__snapshot_get_time() -%}
  {{ return('cast(' ~ dbt.current_timestamp() ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}

{#- An id per version of a row: the key and the time it became valid. -#}
{% macro snapshot_hash_arguments(args) -%}
  {{ return(adapter.dispatch('snapshot_hash_arguments', 'dbt')(args)) }}
{%- endmacro %}

{% macro default__snapshot_hash_arguments(args) -%}
  {%- set parts = [] -%}
  {%- for a in args -%}
    {%- do parts.append("coalesce(cast(" ~ a ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
  {%- endfor -%}
  {{ return(dbt.hash(dbt.concat(parts))) }}
{%- endmacro %}

{#- The time a new version starts: its updated_at, or the snapshot's time for `check`. -#}
{% macro snapshot_updated_at_expr(snap) -%}
  {{ return(snap.updated_at if snap.strategy == 'timestamp' else snapshot_get_time()) }}
{%- endmacro %}

{#- dbt_valid_to of a current row: NULL typed like `like_expr`, or dbt_valid_to_current. -#}
{% macro snapshot_open_valid_to(snap, like_expr) -%}
  {%- if snap.valid_to_current -%}
    {{ return('coalesce(nullif(' ~ like_expr ~ ', ' ~ like_expr ~ '), ' ~ snap.valid_to_current ~ ')') }}
  {%- else -%}
    {{ return('nullif(' ~ like_expr ~ ', ' ~ like_expr ~ ')') }}
  {%- endif -%}
{%- endmacro %}

{% macro snapshot_is_current(snap, alias) -%}
  {%- set col = alias ~ '.' ~ snap.meta.dbt_valid_to -%}
  {%- if snap.valid_to_current -%}
    {{ return('(' ~ col ~ ' is null or ' ~ col ~ ' = ' ~ snap.valid_to_current ~ ')') }}
  {%- else -%}
    {{ return(col ~ ' is null') }}
  {%- endif -%}
{%- endmacro %}

{% macro snapshot_key_join(snap, left, right) -%}
  {%- set parts = [] -%}
  {%- for k in snap.unique_key %}{% do parts.append(left ~ '.' ~ k ~ ' = ' ~ right ~ '.' ~ k) %}{% endfor -%}
  {{ return(parts | join(' and ')) }}
{%- endmacro %}

{#- Whether the source row differs from the current snapshot row. -#}
{% macro snapshot_row_changed(snap, source, current) -%}
  {{ return(adapter.dispatch('snapshot_row_changed', 'dbt')(snap, source, current)) }}
{%- endmacro %}

{% macro default__snapshot_row_changed(snap, source, current) -%}
  {%- if snap.strategy == 'timestamp' -%}
    {{ return('(' ~ current ~ '.' ~ snap.meta.dbt_valid_from ~ ' < ' ~ source ~ '.' ~ snap.meta.dbt_updated_at ~ ')') }}
  {%- else -%}
    {%- set parts = [] -%}
    {%- for c in snap.check_cols -%}
      {%- set a = current ~ '.' ~ c -%}{%- set b = source ~ '.' ~ c -%}
      {%- do parts.append('not (coalesce(' ~ a ~ ' = ' ~ b ~ ', false) or (' ~ a ~ ' is null and ' ~ b ~ ' is null))') -%}
    {%- endfor -%}
    {{ return('(' ~ (parts | join(' or ') if parts else 'false') ~ ')') }}
  {%- endif -%}
{%- endmacro %}

{#- First run: the snapshot table's select. -#}
{% macro snapshot_build_sql(snap) -%}
  {{ return(adapter.dispatch('snapshot_build_sql', 'dbt')(snap)) }}
{%- endmacro %}

{% macro default__snapshot_build_sql(snap) -%}
{%- set m = snap.meta -%}
{%- set updated_at = snapshot_updated_at_expr(snap) -%}
select
  {%- for c in snap.columns %}
  dbt_snapshot_source.{{ c }},
  {%- endfor %}
  {{ snapshot_hash_arguments(snap.unique_key + [updated_at]) }} as {{ m.dbt_scd_id }},
  {{ updated_at }} as {{ m.dbt_updated_at }},
  {{ updated_at }} as {{ m.dbt_valid_from }},
  {{ snapshot_open_valid_to(snap, updated_at) }} as {{ m.dbt_valid_to }}
  {%- if snap.hard_deletes == 'new_record' %},
  'False' as {{ m.dbt_is_deleted }}
  {%- endif %}
from (
{{ snap.source_sql }}
) as dbt_snapshot_source
{%- endmacro %}

{#- Later runs: every change as a row with dbt_change_type insert, update or delete. -#}
{% macro snapshot_staging_sql(snap) -%}
  {{ return(adapter.dispatch('snapshot_staging_sql', 'dbt')(snap)) }}
{%- endmacro %}

{% macro default__snapshot_staging_sql(snap) -%}
{{ snapshot_staging_select(snap, false) }}
{%- endmacro %}

{#- A part of the staging select, by name: under WITH its name; inlined (for
    engines without CTEs, e.g. MySQL 5) the part itself as a derived table of
    that name, so the references read the same either way. -#}
{% macro snapshot_staging_part(parts, name, inline) -%}
  {%- if inline -%}
(
{{ parts[name] }}
) as {{ name }}
  {%- else -%}
{{ name }}
  {%- endif -%}
{%- endmacro %}

{% macro snapshot_staging_select(snap, inline) -%}
{%- set m = snap.meta -%}
{%- set now = snapshot_get_time() -%}
{%- set updated_at = snapshot_updated_at_expr(snap) -%}
{%- set first_key = snap.unique_key[0] -%}
{%- set new_record = snap.hard_deletes == 'new_record' -%}
{%- set changed = snapshot_row_changed(snap, 'source_data', 'snapshotted_data') -%}
{%- set parts = {} -%}
{%- do parts.update({'snapshot_query': snap.source_sql}) -%}
{%- set body %}
  select
    {%- for c in snap.columns %}
    snapshot_query.{{ c }},
    {%- endfor %}
    {{ updated_at }} as {{ m.dbt_updated_at }}
  from {{ snapshot_staging_part(parts, 'snapshot_query', inline) }}
{%- endset -%}
{%- do parts.update({'source_data': body}) -%}
{%- set body %}
  select * from {{ snap.relation }} as current_rows where {{ snapshot_is_current(snap, 'current_rows') }}
{%- endset -%}
{%- do parts.update({'snapshotted_data': body}) -%}
{%- set body %}
  select
    {%- for c in snap.columns %}
    source_data.{{ c }},
    {%- endfor %}
    {%- if new_record %}
    {#- A key back after a deletion record starts now unless its own time moved on. #}
    case when snapshotted_data.{{ first_key }} is not null and not {{ changed }} then {{ now }} else source_data.{{ m.dbt_updated_at }} end as dbt_new_valid_from,
    {%- else %}
    source_data.{{ m.dbt_updated_at }} as dbt_new_valid_from,
    {%- endif %}
    source_data.{{ m.dbt_updated_at }} as {{ m.dbt_updated_at }},
    'insert' as dbt_change_type,
    'False' as dbt_deleted_flag
  from {{ snapshot_staging_part(parts, 'source_data', inline) }}
  left join {{ snapshot_staging_part(parts, 'snapshotted_data', inline) }} on {{ snapshot_key_join(snap, 'source_data', 'snapshotted_data') }}
  where snapshotted_data.{{ first_key }} is null
     or {{ changed }}
     {%- if new_record %}
     or snapshotted_data.{{ m.dbt_is_deleted }} = 'True'
     {%- endif %}
{%- endset -%}
{%- do parts.update({'insertions': body}) -%}
{%- set body %}
  select
    snapshotted_data.{{ m.dbt_scd_id }} as dbt_closed_scd_id,
    {%- if new_record %}
    case when {{ changed }} then source_data.{{ m.dbt_updated_at }} else {{ now }} end as dbt_closed_at,
    {%- else %}
    source_data.{{ m.dbt_updated_at }} as dbt_closed_at,
    {%- endif %}
    'update' as dbt_change_type
  from {{ snapshot_staging_part(parts, 'source_data', inline) }}
  join {{ snapshot_staging_part(parts, 'snapshotted_data', inline) }} on {{ snapshot_key_join(snap, 'source_data', 'snapshotted_data') }}
  where {{ changed }}
  {%- if new_record %}
     or snapshotted_data.{{ m.dbt_is_deleted }} = 'True'
  {%- endif %}
{%- endset -%}
{%- do parts.update({'updates': body}) -%}
{%- if snap.hard_deletes in ('invalidate', 'new_record') -%}
{%- set body %}
  select
    {%- for c in snap.columns %}
    snapshotted_data.{{ c }},
    {%- endfor %}
    snapshotted_data.{{ m.dbt_scd_id }} as dbt_closed_scd_id
  from {{ snapshot_staging_part(parts, 'snapshotted_data', inline) }}
  left join {{ snapshot_staging_part(parts, 'source_data', inline) }} on {{ snapshot_key_join(snap, 'source_data', 'snapshotted_data') }}
  where source_data.{{ first_key }} is null
  {%- if new_record %}
    and snapshotted_data.{{ m.dbt_is_deleted }} = 'False'
  {%- endif %}
{%- endset -%}
{%- do parts.update({'deletes': body}) -%}
{%- endif -%}
{%- if not inline %}
with
{%- for name, part in parts.items() %}
{{ name }} as (
{{ part }}
){% if not loop.last %},{% endif %}
{%- endfor %}
{%- endif %}
select
  {%- for c in snap.columns %}
  {{ c }},
  {%- endfor %}
  {{ m.dbt_updated_at }},
  dbt_new_valid_from as {{ m.dbt_valid_from }},
  {{ snapshot_hash_arguments(snap.unique_key + ['dbt_new_valid_from']) }} as {{ m.dbt_scd_id }},
  cast(null as {{ dbt.type_string() }}) as dbt_closed_scd_id,
  dbt_new_valid_from as dbt_closed_at,
  dbt_deleted_flag,
  dbt_change_type
from {{ snapshot_staging_part(parts, 'insertions', inline) }}
union all
select
  {%- for c in snap.columns %}
  null,
  {%- endfor %}
  null, null, null, dbt_closed_scd_id, dbt_closed_at, 'False', dbt_change_type
from {{ snapshot_staging_part(parts, 'updates', inline) }}
{%- if snap.hard_deletes in ('invalidate', 'new_record') %}
union all
select
  {%- for c in snap.columns %}
  null,
  {%- endfor %}
  null, null, null, dbt_closed_scd_id, {{ now }}, 'False', 'delete'
from {{ snapshot_staging_part(parts, 'deletes', inline) }}
{%- endif %}
{%- if new_record %}
union all
select
  {%- for c in snap.columns %}
  {{ c }},
  {%- endfor %}
  {{ now }}, {{ now }}, {{ snapshot_hash_arguments(snap.unique_key + [now]) }}, null, {{ now }}, 'True', 'insert'
from {{ snapshot_staging_part(parts, 'deletes', inline) }}
{%- endif %}
{%- endmacro %}

{#- Applies the staging table: close what changed or disappeared, then add the new versions. -#}
{% macro snapshot_merge_sql(snap) -%}
  {{ return(adapter.dispatch('snapshot_merge_sql', 'dbt')(snap)) }}
{%- endmacro %}

{% macro default__snapshot_merge_sql(snap) -%}
  {%- set m = snap.meta -%}
  {%- set close -%}
update {{ snap.relation }} as dbt_internal_dest
set {{ m.dbt_valid_to }} = (
  select dbt_staged.dbt_closed_at from {{ snap.staging }} as dbt_staged
  where dbt_staged.dbt_closed_scd_id = dbt_internal_dest.{{ m.dbt_scd_id }}
    and dbt_staged.dbt_change_type in ('update', 'delete')
)
where dbt_internal_dest.{{ m.dbt_scd_id }} in (
  select dbt_closed_scd_id from {{ snap.staging }} where dbt_change_type in ('update', 'delete')
)
  {%- endset -%}
  {%- set meta_values = [m.dbt_scd_id, m.dbt_updated_at, m.dbt_valid_from] -%}
  {%- set add -%}
insert into {{ snap.relation }} ({{ (snap.columns + [m.dbt_scd_id, m.dbt_updated_at, m.dbt_valid_from, m.dbt_valid_to] + ([m.dbt_is_deleted] if snap.hard_deletes == 'new_record' else [])) | join(', ') }})
select
  {{ (snap.columns + meta_values) | join(', ') }},
  {{ snapshot_open_valid_to(snap, m.dbt_valid_from) }}
  {%- if snap.hard_deletes == 'new_record' %},
  dbt_deleted_flag
  {%- endif %}
from {{ snap.staging }}
where dbt_change_type = 'insert'
  {%- endset -%}
  {{ return([close, add]) }}
{%- endmacro %}
