-- Incremental across engines: MariaDB orders mirrored into PostgreSQL.
-- {{ this }} is the table on PostgreSQL. On an incremental run dvt reads only
-- max(ordered_at) from it, and the extraction from MariaDB carries
-- `ordered_at > <that value>`: only the new orders leave MariaDB
-- (run_results.json: adapter_response.rows_moved).
{{ config(materialized='incremental', target='pg', unique_key='order_id') }}

select order_id, customer_id, amount, ordered_at
from {{ source('shop', 'orders') }}
{% if is_incremental() %}
where ordered_at > (select max(ordered_at) from {{ this }})
{% endif %}
