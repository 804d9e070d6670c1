with

source as (

    select * from {{ source('returns', 'census_la') }}

),

renamed as (

    select
        -- ids
        cast(ledger_id as bigint) as ledger_id,
        file_sha256,
        cast(council_code as varchar) as council_code,
        cast(period as varchar) as period,
        cast(source_row_number as integer) as source_row_number,

        -- measures
        cast(vacancy_fte as double) as vacancy_fte,
        cast(agency_vacancy_fte as double) as agency_vacancy_fte,
        cast(agency_vacancy_headcount as integer) as agency_vacancy_headcount,
        cast(schema_year as integer) as schema_year,

        -- dates
        cast(reference_date as date) as reference_date,

        -- snapshot and timestamps
        last_day(cast(period || '-01' as date)) as month_end_date,
        cast(received_at as timestamp) as received_at

    from source

)

select * from renamed
