with

source as (

    select * from {{ source('build_state', 'marts_built_versions') }}

),

renamed as (

    select
        -- ids
        cast(return_table as varchar) as return_table,
        cast(council_code as varchar) as council_code,
        cast(period as varchar) as period,
        cast(ledger_id as bigint) as ledger_id

    from source

)

select * from renamed
