-- One row per trip, with typed columns and tidy names. dbt.type_timestamp()
-- names the timestamp type of whichever engine the profile targets.
select
    trip_id,
    rider_id,
    cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
    cast(started_at as date) as trip_date,
    cast(distance_km as decimal(6, 1)) as distance_km,
    cast(fare as decimal(8, 2)) as fare,
    lower(payment_method) as payment_method
from {{ ref('raw_trips') }}
