-- Which return tables each accepted file delivered, under the names of their staging models'
-- entities (establishments, census_la_records...), the names the rest of the project uses.
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
        case table_name
            when 'establishment' then 'establishments'
            when 'census_la' then 'census_la_records'
            else table_name
        end as return_table,

        -- measures
        cast(row_count as integer) as row_count,
        row_count = 0 as is_nil_return

    from source

)

select * from renamed
