-- Incremental across engines: MariaDB orders mirrored into PostgreSQL.
-- {{ this }} is the table on PostgreSQL; only orders past its newest are added.
{{ config(materialized='incremental', target='pg', unique_key='order_id') }}

select order_id, customer_id, amount, ordered_at
from {{ source('shop', 'orders') }}
{% if is_incremental() %}
where ordered_at > (select max(ordered_at) from {{ this }})
{% endif %}
