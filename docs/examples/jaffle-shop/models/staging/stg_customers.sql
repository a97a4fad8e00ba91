select
    id as customer_id,
    first_name,
    last_name,
    {{ dbt.concat(['first_name', "' '", 'last_name']) }} as full_name,
    lower(email) as email,
    cast(signed_up_on as date) as signed_up_on
from {{ ref('raw_customers') }}
