-- Every order's amount is the sum of its payments: returns the orders where it is not.
select o.order_id, o.amount, sum(p.amount) as paid
from {{ ref('orders') }} as o
join {{ ref('stg_payments') }} as p
    on p.order_id = o.order_id
group by o.order_id, o.amount
having o.amount <> sum(p.amount)
