with

source as (

    select * from {{ source('returns', 'pay_scales') }}

),

renamed as (

    select
        -- ids
        cast(ledger_id as bigint) as ledger_id,
        file_sha256,
        cast(council_code as varchar) as council_code,
        cast(period as varchar) as period,
        cast(source_row_number as integer) as source_row_number,

        -- dimensions
        grade as local_grade,

        -- measures
        cast(salary_min as double) as salary_min,
        cast(salary_max as double) as salary_max,
        cast(weekly_hours as double) as weekly_hours,
        cast(market_supplement as double) as market_supplement,
        cast(recruitment_payment as double) as recruitment_payment,
        cast(retention_payment as double) as retention_payment,

        -- dates
        cast(effective_from as date) as effective_from,

        -- snapshot and timestamps
        last_day(cast(period || '-01' as date)) as month_end_date,
        cast(received_at as timestamp) as received_at

    from source

)

select * from renamed
