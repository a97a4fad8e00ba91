select
    id as order_id,
    customer_id,
    cast(ordered_at as timestamp) as ordered_at,
    cast(ordered_at as date) as order_date,
    status,
    cast(updated_at as timestamp) as updated_at
from {{ ref('raw_orders') }}
