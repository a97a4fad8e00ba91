-- Second link: from PostgreSQL to MariaDB. A view cannot span engines, so
-- dvt builds this one as a table and says so.
{{ config(materialized='view', target='maria') }}

select country, revenue
from {{ ref('revenue_by_country') }}
where revenue > 100
