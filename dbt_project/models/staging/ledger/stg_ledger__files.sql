-- One row per file that arrived in the bucket, as the ledger recorded it, whatever became of it
-- (accepted, with warnings, rejected, a duplicate or superseded).
with

source as (

    select * from {{ source('ledger', 'files') }}

),

renamed as (

    select
        -- ids
        cast(ledger_id as bigint) as ledger_id,
        cast(council_code as varchar) as council_code,
        cast(period as varchar) as period,

        -- dimensions
        file_name,
        return_type,
        cast(version as integer) as file_version,
        status,

        -- timestamps
        cast(received_at as timestamp) as received_at

    from source

)

select * from renamed
