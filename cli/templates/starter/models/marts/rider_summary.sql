-- One row per rider: how often and how far they ride, and what they spend.
select
    rider_id,
    count(*) as trips,
    sum(distance_km) as total_distance_km,
    sum(fare) as total_fare,
    min(trip_date) as first_trip_date,
    max(trip_date) as last_trip_date
from {{ ref('stg_trips') }}
group by rider_id
