-- A cross-engine ref chain, first link: a DuckDB model's result lands on PostgreSQL.
{{ config(materialized='table', target='pg') }}

select country, count(*) as customers, sum(revenue) as revenue
from {{ ref('customer_activity') }}
group by country
