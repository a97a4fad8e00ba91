{{ config(target='pg', materialized='view') }}
select account_id, account_name from {{ source('crm', 'accounts') }}
