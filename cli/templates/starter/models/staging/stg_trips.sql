-- One row per trip, with typed columns and tidy names.
select
    trip_id,
    rider_id,
    cast(started_at as timestamp) as started_at,
    cast(started_at as date) as trip_date,
    distance_km,
    fare,
    lower(payment_method) as payment_method
from {{ ref('raw_trips') }}
