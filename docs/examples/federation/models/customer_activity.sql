-- Reads PostgreSQL, MariaDB and another DuckDB file: federated on DuckDB,
-- built in the warehouse.
{{ config(materialized='table') }}

with orders as (
    select customer_id, count(*) as orders, sum(amount) as revenue
    from {{ source('shop', 'orders') }}
    group by customer_id
),
views as (
    select customer_id, count(*) as page_views
    from {{ source('events', 'page_views') }}
    group by customer_id
)
select c.customer_id, c.name, c.country, o.orders, o.revenue, v.page_views
from {{ source('crm', 'customers') }} c
left join orders o using (customer_id)
left join views v using (customer_id)
