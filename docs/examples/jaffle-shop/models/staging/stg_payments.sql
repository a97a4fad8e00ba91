select
    id as payment_id,
    order_id,
    method as payment_method,
    cast(amount as decimal(10, 2)) as amount
from {{ ref('raw_payments') }}
