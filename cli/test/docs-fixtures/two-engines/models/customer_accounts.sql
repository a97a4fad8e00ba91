select c.customer_id, c.customer_name, a.account_name
from {{ ref('stg_customers') }} as c
join {{ ref('pg_accounts') }} as a on a.account_id = c.account_id
