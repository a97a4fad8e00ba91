with customer_orders as (
    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as most_recent_order_date,
        count(*) as number_of_orders,
        sum(case when status <> 'returned' then amount else 0 end) as lifetime_value
    from {{ ref('orders') }}
    group by customer_id
)

select
    c.customer_id,
    c.full_name,
    c.email,
    c.signed_up_on,
    co.first_order_date,
    co.most_recent_order_date,
    coalesce(co.number_of_orders, 0) as number_of_orders,
    coalesce(co.lifetime_value, 0) as lifetime_value,
    {{ safe_divide('co.lifetime_value', 'co.number_of_orders') }} as average_order_value
from {{ ref('stg_customers') }} as c
left join customer_orders as co
    on co.customer_id = c.customer_id
