-- A singular test: it fails when this query returns rows.
select trip_id, fare
from {{ ref('stg_trips') }}
where fare <= 0
