select customer_id, name as customer_name, account_id from {{ ref('customers') }}
