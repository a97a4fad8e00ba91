{{
    config(
        materialized='incremental',
        unique_key='order_id'
    )
}}

-- The latest known status of every order. After the first build only orders
-- updated since the last run are read and merged in by order_id.
select
    order_id,
    customer_id,
    status,
    updated_at
from {{ ref('stg_orders') }}

{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
