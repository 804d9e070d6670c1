-- Which return tables each accepted file delivered, under the return contract's names of the
-- tables (ingest/return_contract.py: establishment, census_la...), the names the raw tables,
-- their staging models and the rest of the project use.
with

source as (

    select * from {{ source('returns', 'file_tables') }}

),

renamed as (

    select
        -- ids
        cast(ledger_id as bigint) as ledger_id,
        cast(council_code as varchar) as council_code,
        cast(period as varchar) as period,

        -- dimensions
        cast(table_name as varchar) as return_table,

        -- measures
        cast(row_count as integer) as row_count,
        row_count = 0 as is_nil_return

    from source

)

select * from renamed
