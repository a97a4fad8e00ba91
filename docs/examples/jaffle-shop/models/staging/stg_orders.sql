select
    id as order_id,
    customer_id,
    {{ dbt.cast('ordered_at', dbt.type_timestamp()) }} as ordered_at,
    cast(ordered_at as date) as order_date,
    status,
    {{ dbt.cast('updated_at', dbt.type_timestamp()) }} as updated_at
from {{ ref('raw_orders') }}
